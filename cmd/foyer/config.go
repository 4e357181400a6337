package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the whole configuration, from a YAML file (--config) and then
// FOYER_ environment variables, which win.
type Config struct {
	Issuer                 string      `yaml:"issuer"`
	Listen                 string      `yaml:"listen"`
	DatabaseURL            string      `yaml:"database_url"`
	Secret                 string      `yaml:"secret"`
	SMTPURL                string      `yaml:"smtp_url"`
	SMTPFrom               string      `yaml:"smtp_from"`
	SMTPCAFile             string      `yaml:"smtp_ca_file"` // PEM CAs for a relay with a private CA; empty: the system roots
	SMSWebhookURL          string      `yaml:"sms_webhook_url"`
	BootstrapAdminEmail    string      `yaml:"bootstrap_admin_email"`
	BootstrapAdminPassword string      `yaml:"bootstrap_admin_password"`
	ThemeDir               string      `yaml:"theme_dir"`
	LogLevel               string      `yaml:"log_level"`
	LogFormat              string      `yaml:"log_format"`
	TrustProxyHeaders      boolSetting `yaml:"trust_proxy_headers"`
	// AllowPrivateNetworkURIs lets dynamically registered clients have
	// Foyer request loopback and private addresses (their jwks_uri and
	// backchannel_logout_uri). For development only: anyone holding an
	// initial access token could otherwise probe the internal network.
	AllowPrivateNetworkURIs boolSetting `yaml:"allow_private_network_uris"`
	// DevOutbox serves /admin/dev/outbox (messages with their live links
	// and codes) — only when also in dev mode and only to loopback callers.
	DevOutbox   boolSetting `yaml:"dev_outbox"`
	PprofListen string      `yaml:"pprof_listen"`
	// MetricsListen serves /metrics on its own address only; MetricsToken
	// serves it on the public listener to bearers of the token. With
	// neither, only a local development instance serves it (metricsexpose.go).
	MetricsListen string `yaml:"metrics_listen"`
	// NodeID names this node in queue leases (sqlstore.WithNode); empty:
	// the host name and the listen address.
	NodeID       string `yaml:"node_id"`
	MetricsToken string `yaml:"metrics_token"`
	// KeyRotationInterval is a Go duration ("720h"); "0" turns automatic
	// key rotation off.
	KeyRotationInterval string `yaml:"key_rotation_interval"`
	// CleanupInterval is how often this node offers to delete expired
	// rows (a Go duration, at least 1m); "0" means never: another node,
	// or `foyer cleanup` from a scheduler, does it.
	CleanupInterval string `yaml:"cleanup_interval"`
	// GeoIPDB is a MaxMind City or Country database (.mmdb) the account
	// portal reads sessions' approximate locations from; empty: none shown.
	GeoIPDB string `yaml:"geoip_db"`
	// The password-guessing budgets (config_limits.go); empty: defaults.
	SignInLimitSource     string `yaml:"signin_limit_source"`
	SignInLimitIdentifier string `yaml:"signin_limit_identifier"`
	SignInLimitAddress    string `yaml:"signin_limit_address"`
	SignInLimitGlobal     string `yaml:"signin_limit_global"`
	// The budgets on new sign-in interactions (config_limits.go); empty:
	// defaults.
	AuthorizeLimitAddress string `yaml:"authorize_limit_address"`
	AuthorizeLimitGlobal  string `yaml:"authorize_limit_global"`
	// getenv is the environment the configuration was read from, for a
	// command that reads a variable the operator names (a secret kept off
	// the command line).
	getenv func(string) string
}

// envKeys maps each setting to its environment variable.
func (c *Config) envKeys() map[string]*string {
	return map[string]*string{
		"FOYER_ISSUER":                   &c.Issuer,
		"FOYER_LISTEN":                   &c.Listen,
		"FOYER_DATABASE_URL":             &c.DatabaseURL,
		"FOYER_SECRET":                   &c.Secret,
		"FOYER_SMTP_URL":                 &c.SMTPURL,
		"FOYER_SMTP_FROM":                &c.SMTPFrom,
		"FOYER_SMTP_CA_FILE":             &c.SMTPCAFile,
		"FOYER_SMS_WEBHOOK_URL":          &c.SMSWebhookURL,
		"FOYER_BOOTSTRAP_ADMIN_EMAIL":    &c.BootstrapAdminEmail,
		"FOYER_BOOTSTRAP_ADMIN_PASSWORD": &c.BootstrapAdminPassword,
		"FOYER_THEME_DIR":                &c.ThemeDir,
		"FOYER_LOG_LEVEL":                &c.LogLevel,
		"FOYER_LOG_FORMAT":               &c.LogFormat,
		"FOYER_PPROF_LISTEN":             &c.PprofListen,
		"FOYER_METRICS_LISTEN":           &c.MetricsListen,
		"FOYER_NODE_ID":                  &c.NodeID,
		"FOYER_METRICS_TOKEN":            &c.MetricsToken,
		"FOYER_KEY_ROTATION_INTERVAL":    &c.KeyRotationInterval,
		"FOYER_CLEANUP_INTERVAL":         &c.CleanupInterval,
		"FOYER_GEOIP_DB":                 &c.GeoIPDB,
		"FOYER_SIGNIN_LIMIT_SOURCE":      &c.SignInLimitSource,
		"FOYER_SIGNIN_LIMIT_IDENTIFIER":  &c.SignInLimitIdentifier,
		"FOYER_SIGNIN_LIMIT_ADDRESS":     &c.SignInLimitAddress,
		"FOYER_SIGNIN_LIMIT_GLOBAL":      &c.SignInLimitGlobal,
		"FOYER_AUTHORIZE_LIMIT_ADDRESS":  &c.AuthorizeLimitAddress,
		"FOYER_AUTHORIZE_LIMIT_GLOBAL":   &c.AuthorizeLimitGlobal,
	}
}

func defaultConfig() Config {
	return Config{
		Issuer:      "http://localhost:8080",
		Listen:      ":8080",
		DatabaseURL: "sqlite:foyer.db",
		SMTPFrom:    "foyer@localhost",
		LogLevel:    "info",
		LogFormat:   "text",
		// Monthly, as Google and most providers rotate; retired keys stay
		// published a day, so relying parties never miss one.
		KeyRotationInterval: "720h",
		CleanupInterval:     "10m",
	}
}

// loadConfig reads the file (if any), then the environment, and validates
// the result as a whole, reporting every problem at once.
func loadConfig(path string, getenv func(string) string) (Config, error) {
	cfg := defaultConfig()
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config: %w", err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(raw)))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
	}
	for name, field := range cfg.envKeys() {
		if v := getenv(name); v != "" {
			*field = v
		}
	}
	envErr := cfg.readBoolEnv(getenv)
	cfg.getenv = getenv
	cfg.Issuer = strings.TrimRight(cfg.Issuer, "/")
	return cfg, errors.Join(envErr, cfg.validate())
}

// boolSetting is a boolean setting: the file and the environment take the
// same spellings (parseBool), where YAML alone would refuse 1 and 0.
type boolSetting bool

// UnmarshalYAML reads a boolean setting from the file.
func (b *boolSetting) UnmarshalYAML(n *yaml.Node) error {
	v, ok := parseBool(n.Value)
	if n.Kind != yaml.ScalarNode || !ok {
		return fmt.Errorf("line %d: %q is not a boolean (%s)", n.Line, n.Value, boolSpellings)
	}
	*b = boolSetting(v)
	return nil
}

// boolEnvKeys maps each boolean setting to its environment variable.
func (c *Config) boolEnvKeys() map[string]*boolSetting {
	return map[string]*boolSetting{
		"FOYER_TRUST_PROXY_HEADERS":        &c.TrustProxyHeaders,
		"FOYER_ALLOW_PRIVATE_NETWORK_URIS": &c.AllowPrivateNetworkURIs,
		"FOYER_DEV_OUTBOX":                 &c.DevOutbox,
	}
}

// readBoolEnv sets the boolean settings from the environment. Every one
// takes the same spellings (parseBool), and a value outside them is an
// error naming the variable: a typo must not silently leave a guard off,
// nor trust forwarded headers nobody meant to trust.
func (c *Config) readBoolEnv(getenv func(string) string) error {
	var errs []error
	keys := c.boolEnvKeys()
	for _, name := range slices.Sorted(maps.Keys(keys)) { // errors in a stable order
		field, v := keys[name], getenv(name)
		if v == "" {
			continue
		}
		b, ok := parseBool(v)
		if !ok {
			errs = append(errs, fmt.Errorf("%s %q: %s", name, v, boolSpellings))
			continue
		}
		*field = boolSetting(b)
	}
	return errors.Join(errs...)
}

// boolSpellings says which values parseBool accepts, for error messages.
const boolSpellings = "use true/false, 1/0, yes/no or on/off"

// parseBool reads a boolean setting: true/false, 1/0, yes/no or on/off in
// any case, as operators write them in shell scripts and compose files.
func parseBool(v string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "yes", "on":
		return true, true
	case "false", "0", "no", "off":
		return false, true
	}
	return false, false
}

func (c *Config) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if u, err := url.Parse(c.Issuer); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		bad("FOYER_ISSUER %q: must be an http(s) URL without query or fragment", c.Issuer)
	}
	if c.Listen == "" {
		bad("FOYER_LISTEN: must not be empty")
	}
	if _, err := databaseKind(c.DatabaseURL); err != nil {
		bad("FOYER_DATABASE_URL: %v", err)
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 20 {
		bad("FOYER_METRICS_TOKEN: must be at least 20 characters (got %d)", len(c.MetricsToken))
	}
	if c.Secret != "" && len(c.Secret) < 32 {
		bad("FOYER_SECRET: must be at least 32 bytes (got %d)", len(c.Secret))
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			bad("FOYER_SMTP_URL: must be smtp://user:pass@host:port or smtps://...")
		}
	}
	if _, err := mail.ParseAddress(c.SMTPFrom); err != nil {
		bad("FOYER_SMTP_FROM %q: not an e-mail address", c.SMTPFrom)
	}
	if c.SMSWebhookURL != "" {
		if u, err := url.Parse(c.SMSWebhookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("FOYER_SMS_WEBHOOK_URL: must be an http(s) URL")
		}
	}
	if c.BootstrapAdminEmail != "" {
		if _, err := mail.ParseAddress(c.BootstrapAdminEmail); err != nil {
			bad("FOYER_BOOTSTRAP_ADMIN_EMAIL %q: not an e-mail address", c.BootstrapAdminEmail)
		}
	}
	if p := c.BootstrapAdminPassword; p != "" && len(p) < minPasswordLength {
		bad("FOYER_BOOTSTRAP_ADMIN_PASSWORD: must be at least %d characters", minPasswordLength)
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		bad("FOYER_LOG_LEVEL %q: one of debug, info, warn, error", c.LogLevel)
	}
	if d, err := time.ParseDuration(c.KeyRotationInterval); err != nil || d < 0 || (d > 0 && d < time.Hour) {
		bad("FOYER_KEY_ROTATION_INTERVAL %q: a duration of at least 1h (e.g. 720h), or 0 to turn rotation off", c.KeyRotationInterval)
	}
	if d, err := time.ParseDuration(c.CleanupInterval); err != nil || d < 0 || (d > 0 && d < time.Minute) {
		bad("FOYER_CLEANUP_INTERVAL %q: a duration of at least 1m (e.g. 10m), or 0 for a node that never cleans up", c.CleanupInterval)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("FOYER_LOG_FORMAT %q: text or json", c.LogFormat)
	}
	if _, err := c.signInLimits(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.authorizeLimits(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// databaseKind is "sqlite" or "postgres".
func databaseKind(u string) (string, error) {
	switch {
	case strings.HasPrefix(u, "sqlite:"):
		if strings.TrimPrefix(strings.TrimPrefix(u, "sqlite:"), "//") == "" {
			return "", errors.New("sqlite: needs a file path, e.g. sqlite:foyer.db")
		}
		return "sqlite", nil
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return "postgres", nil
	default:
		return "", fmt.Errorf("%q: use sqlite:PATH or a postgres:// URL", u)
	}
}

// secret returns FOYER_SECRET, or for SQLite a secret generated once and
// kept in a file beside the database. PostgreSQL deployments run several
// nodes that must share one secret, so there it has to be configured.
func (c *Config) secret() ([]byte, error) {
	if c.Secret != "" {
		return []byte(c.Secret), nil
	}
	kind, _ := databaseKind(c.DatabaseURL)
	if kind != "sqlite" {
		return nil, errors.New("FOYER_SECRET is required with PostgreSQL (32+ bytes, the same on every node)")
	}
	db := strings.TrimPrefix(strings.TrimPrefix(c.DatabaseURL, "sqlite:"), "//")
	if i := strings.IndexByte(db, '?'); i >= 0 {
		db = db[:i]
	}
	path := filepath.Join(filepath.Dir(db), ".foyer-secret")
	if raw, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(raw))) >= 32 {
		return []byte(strings.TrimSpace(string(raw))), nil
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, fmt.Errorf("generate secret: %w", err)
	}
	s := base64.RawURLEncoding.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("store generated secret in %s: %w", path, err)
	}
	return []byte(s), nil
}

// keyRotationInterval is the validated FOYER_KEY_ROTATION_INTERVAL; zero
// means automatic rotation is off.
func (c *Config) keyRotationInterval() time.Duration {
	d, _ := time.ParseDuration(c.KeyRotationInterval)
	return d
}

// cleanupInterval is the validated FOYER_CLEANUP_INTERVAL; zero means
// this node never offers to clean up.
func (c *Config) cleanupInterval() time.Duration {
	d, _ := time.ParseDuration(c.CleanupInterval)
	return d
}

// nodeID names this node in the leases it takes on queue rows: FOYER_NODE_ID,
// or the host name and the listen address, which no other live node shares.
func (c *Config) nodeID() string {
	if c.NodeID != "" {
		return c.NodeID
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return host + "/" + c.Listen
}
