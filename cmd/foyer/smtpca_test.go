package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FOYER_SMTP_CA_FILE: a PEM CA replaces the system roots for the SMTP
// server; a missing or certificate-less file stops the start instead of
// quietly trusting the system roots.
func TestSMTPCAFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "private ca"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "ca.pem")
	bad := filepath.Join(dir, "empty.pem")
	if os.WriteFile(good, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600) != nil ||
		os.WriteFile(bad, []byte("not a certificate\n"), 0o600) != nil {
		t.Fatal("write CA files")
	}

	cfg := defaultConfig()
	cfg.SMTPURL = "smtps://relay.example.com"
	cfg.SMTPCAFile = good
	if p, err := notifyProviders(cfg); err != nil || p.Email == nil {
		t.Fatalf("with a CA file: %v", err)
	}
	if c, err := smtpTLSConfig(good); err != nil || c.RootCAs == nil || c.RootCAs.Equal(x509.NewCertPool()) {
		t.Errorf("smtpTLSConfig = %+v, %v; want a pool with the CA", c, err)
	}
	if c, err := smtpTLSConfig(""); c != nil || err != nil {
		t.Errorf("no CA file: %+v, %v; want nil (the system roots)", c, err)
	}
	for _, file := range []string{bad, filepath.Join(dir, "missing.pem")} {
		cfg.SMTPCAFile = file
		if _, err := notifyProviders(cfg); err == nil || !strings.Contains(err.Error(), "FOYER_SMTP_CA_FILE") {
			t.Errorf("%s: %v, want a FOYER_SMTP_CA_FILE error", filepath.Base(file), err)
		}
	}
}
