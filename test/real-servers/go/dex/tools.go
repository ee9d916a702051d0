//go:build tools

// Package tools pins the Dex server the real-server tests build (scripts/test-servers/dex.mjs).
package tools

import _ "github.com/dexidp/dex/cmd/dex"
