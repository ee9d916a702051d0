// oidc-check does what Harbor's "Test OIDC server" (POST /api/v2.0/system/oidc/ping) does:
// go-oidc's NewProvider, at the version Harbor pins, fetches the discovery document and refuses an
// issuer that is not exactly the one asked for (trailing slash included). It prints one JSON line,
// {"ok":true,"issuer":…} or {"ok":false,"error":…}, and exits 0 either way (2 on bad usage).
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

type result struct {
	OK                    bool   `json:"ok"`
	Issuer                string `json:"issuer,omitempty"`
	AuthorizationEndpoint string `json:"authorization_endpoint,omitempty"`
	TokenEndpoint         string `json:"token_endpoint,omitempty"`
	Error                 string `json:"error,omitempty"`
}

func main() {
	issuer := flag.String("issuer", "", "the issuer URL to check, exactly as configured")
	caFile := flag.String("ca-file", "", "a PEM file of CA certificates to trust (besides the system's)")
	insecure := flag.Bool("insecure", false, "skip TLS verification (Harbor's verify_cert=false)")
	timeout := flag.Duration("timeout", 10*time.Second, "the longest the whole check may take")
	flag.Parse()
	if *issuer == "" {
		fmt.Fprintln(os.Stderr, "usage: oidc-check -issuer URL [-ca-file FILE] [-insecure] [-timeout 10s]")
		os.Exit(2)
	}

	transport := http.DefaultTransport.(*http.Transport).Clone()
	tlsConfig := &tls.Config{InsecureSkipVerify: *insecure}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			emit(result{Error: fmt.Sprintf("cannot read the CA file: %v", err)})
			return
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			emit(result{Error: "the CA file holds no PEM certificate"})
			return
		}
		tlsConfig.RootCAs = pool
	}
	transport.TLSClientConfig = tlsConfig
	client := &http.Client{Transport: transport, Timeout: *timeout}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, client), *issuer)
	if err != nil {
		emit(result{Error: err.Error()})
		return
	}
	endpoint := provider.Endpoint()
	var claims struct {
		Issuer string `json:"issuer"`
	}
	_ = provider.Claims(&claims)
	emit(result{OK: true, Issuer: claims.Issuer, AuthorizationEndpoint: endpoint.AuthURL, TokenEndpoint: endpoint.TokenURL})
}

func emit(r result) {
	_ = json.NewEncoder(os.Stdout).Encode(r)
}
