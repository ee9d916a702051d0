module sso-setup/test-servers/oidc-check

go 1.25.0

require github.com/coreos/go-oidc/v3 v3.15.0

require (
	github.com/go-jose/go-jose/v4 v4.0.5 // indirect
	golang.org/x/crypto v0.36.0 // indirect
	golang.org/x/oauth2 v0.28.0 // indirect
)
