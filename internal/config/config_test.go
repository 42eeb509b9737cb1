package config

import (
	"bytes"
	"errors"
	"flag"
	"reflect"
	"strings"
	"testing"
	"time"
)

// envOf is an environment holding only the given variables.
func envOf(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// defaults is what serve runs with when told nothing.
func defaults() Config {
	return Config{
		Storage:       Storage{DataDir: "vulndesk-data"},
		Addr:          "127.0.0.1:8080",
		JobLease:      30 * time.Second,
		Poll:          time.Second,
		Schedule:      30 * time.Second,
		MaxUpload:     256 << 20,
		UploadBudget:  256 << 20,
		MemoryLimit:   640 << 20,
		SMTP:          SMTP{Port: 587, Auth: "plain"},
		NotifyBackoff: 30 * time.Second,
	}
}

// The names and defaults of the flags and variables are a contract: each
// case says what a deployment passes and what it gets.
func TestLoad(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want func(*Config)
	}{
		{"defaults", nil, nil, func(*Config) {}},
		{"environment", nil, map[string]string{
			"VULNDESK_DATA_DIR": "/var/lib/vulndesk", "VULNDESK_DATABASE_URL": "postgres://u@db/v",
			"VULNDESK_ADDR": "0.0.0.0:80", "VULNDESK_TLS_CERT": "c.pem", "VULNDESK_TLS_KEY": "k.pem",
		}, func(c *Config) {
			c.DataDir, c.DatabaseURL, c.Addr, c.TLSCert, c.TLSKey = "/var/lib/vulndesk", "postgres://u@db/v", "0.0.0.0:80", "c.pem", "k.pem"
		}},
		{"smtp", []string{"--smtp-host", "mail.example.com", "--smtp-auth", "login"}, map[string]string{
			"VULNDESK_SMTP_PORT": "2525", "VULNDESK_SMTP_FROM": "vd@example.com", "VULNDESK_SMTP_USERNAME": "vd", "VULNDESK_SMTP_PASSWORD": "pw",
		}, func(c *Config) {
			c.SMTP = SMTP{Host: "mail.example.com", Port: 2525, From: "vd@example.com", Auth: "login", Username: "vd", Password: "pw"}
		}},
		// CSAF advisories (issue 14, csaf): the signing key's file, its
		// passphrase from the environment only.
		{"openpgp key", nil, map[string]string{"VULNDESK_OPENPGP_KEY_FILE": "/etc/vulndesk/signing.asc", "VULNDESK_OPENPGP_PASSPHRASE": "pp"},
			func(c *Config) { c.OpenPGPKey, c.OpenPGPKeyPassphrase = "/etc/vulndesk/signing.asc", "pp" }},
		{"openpgp key flag", []string{"--openpgp-key", "k.asc"}, map[string]string{"VULNDESK_OPENPGP_KEY_FILE": "env.asc"},
			func(c *Config) { c.OpenPGPKey = "k.asc" }},
		{"an empty variable is unset", nil, map[string]string{"VULNDESK_DATA_DIR": "", "VULNDESK_ADDR": ""}, func(*Config) {}},
		{"flags over the environment", []string{"--data-dir", "d", "--addr", "127.0.0.1:0", "--database-url", "postgres://x/y"},
			map[string]string{"VULNDESK_DATA_DIR": "/env", "VULNDESK_ADDR": "0.0.0.0:80", "VULNDESK_DATABASE_URL": "postgres://env/db"},
			func(c *Config) { c.DataDir, c.Addr, c.DatabaseURL = "d", "127.0.0.1:0", "postgres://x/y" }},
		{"every flag", []string{"--empty", "--workers", "3", "--job-lease", "1m", "--poll", "200ms", "--schedule", "1s",
			"--no-jobs", "--secure-cookies", "--log-json", "--max-upload", "1000", "--upload-budget", "2000",
			"--memory-limit", "0", "--tls-cert", "c", "--tls-key", "k", "--feed-dir", "/a", "-feed-dir=/b", "--allow-private-feeds"},
			nil, func(c *Config) {
				c.Empty, c.Workers, c.JobLease, c.Poll, c.Schedule = true, 3, time.Minute, 200*time.Millisecond, time.Second
				c.NoJobs, c.SecureCookies, c.LogJSON, c.MaxUpload, c.UploadBudget = true, true, true, 1000, 2000
				c.MemoryLimit, c.TLSCert, c.TLSKey, c.FeedDirs, c.AllowPrivateFeeds = 0, "c", "k", []string{"/a", "/b"}, true
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Load(c.args, envOf(c.env))
			if err != nil {
				t.Fatal(err)
			}
			want := defaults()
			c.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

// What is not a setting is refused, and -h is flag.ErrHelp.
func TestLoadRefuses(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--bogus"}, "flag provided but not defined: -bogus"},
		{"bad number", []string{"--workers", "many"}, `invalid value "many" for flag -workers`},
		{"positional argument", []string{"--empty", "extra"}, `arguments ["extra"]: serve takes only flags`},
		{"invalid setting", []string{"--tls-cert", "c"}, "--tls-cert and --tls-key go together"},
		// A passphrase on the command line would show in ps (csaf).
		{"no passphrase flag", []string{"--openpgp-passphrase", "x"}, "flag provided but not defined: -openpgp-passphrase"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(c.args, envOf(nil))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one saying %q", err, c.want)
			}
		})
	}
	if _, err := Load([]string{"-h"}, envOf(nil)); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
}

// -h lists every flag with its default from the environment, but not the
// hidden ones.
func TestUsage(t *testing.T) {
	var out bytes.Buffer
	_, err := LoadTo(&out, []string{"--help"}, envOf(map[string]string{"VULNDESK_ADDR": "0.0.0.0:9"}))
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	text := out.String()
	for _, want := range []string{"Usage of serve:", "-addr string", `(default "0.0.0.0:9")`, "-data-dir", "-feed-dir value",
		"-memory-limit int", "(default 671088640)", "-tls-key", "-upload-budget", "-workers int"} {
		if !strings.Contains(text, want) {
			t.Errorf("usage lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "schedule") {
		t.Errorf("usage shows the hidden --schedule:\n%s", text)
	}
}

// Validate names each setting that cannot work, and all of them at once.
func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		set  func(*Config)
		want string
	}{
		{"no data directory", func(c *Config) { c.DataDir = "" }, "--data-dir is empty"},
		{"address without a port", func(c *Config) { c.Addr = "localhost" }, `--addr "localhost": want host:port`},
		{"empty address", func(c *Config) { c.Addr = "" }, `--addr "": want host:port`},
		{"negative workers", func(c *Config) { c.Workers = -1 }, "--workers -1: want 0 (the engine's default) or more"},
		{"negative lease", func(c *Config) { c.JobLease = -time.Second }, "--job-lease -1s: want a positive duration"},
		{"negative poll", func(c *Config) { c.Poll = -time.Second }, "--poll -1s"},
		{"negative schedule", func(c *Config) { c.Schedule = -time.Second }, "--schedule -1s"},
		{"no uploads", func(c *Config) { c.MaxUpload = 0 }, "--max-upload 0: want a positive number of bytes"},
		{"no upload budget", func(c *Config) { c.UploadBudget = -5 }, "--upload-budget -5: want a positive number of bytes"},
		{"negative memory limit", func(c *Config) { c.MemoryLimit = -1 }, "--memory-limit -1: want a number of bytes, or 0 for none"},
		{"certificate without key", func(c *Config) { c.TLSCert = "c.pem" }, "--tls-cert and --tls-key go together"},
		{"key without certificate", func(c *Config) { c.TLSKey = "k.pem" }, "--tls-cert and --tls-key go together"},
		{"smtp without sender", func(c *Config) { c.SMTP.Host = "mail.example.com" }, `--smtp-from "": --smtp-host needs a plain sender address`},
		{"smtp port", func(c *Config) { c.SMTP.Host, c.SMTP.Port = "mail.example.com", 70000 }, "--smtp-port 70000: want 1–65535"},
		{"smtp auth", func(c *Config) { c.SMTP.Host, c.SMTP.Auth = "mail.example.com", "cram-md5" }, `--smtp-auth "cram-md5": want plain or login`},
	}
	all := defaults()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := defaults()
			c.set(&cfg)
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one saying %q", err, c.want)
			}
		})
		if c.name != "key without certificate" { // with the certificate, a pair
			c.set(&all)
		}
	}
	// Zero means the default for these, and a port 0 lets the system pick.
	ok := defaults()
	ok.Addr, ok.Workers, ok.JobLease, ok.Poll, ok.Schedule, ok.MemoryLimit = "127.0.0.1:0", 0, 0, 0, 0, 0
	ok.TLSCert, ok.TLSKey, ok.DatabaseURL = "c", "k", "postgres://u@db/v"
	if err := ok.Validate(); err != nil {
		t.Errorf("valid settings refused: %v", err)
	}
	err := all.Validate()
	for _, c := range cases {
		if err == nil || !strings.Contains(err.Error(), strings.SplitN(c.want, " ", 2)[0]) {
			t.Errorf("with every setting bad, %v does not name %s", err, strings.SplitN(c.want, " ", 2)[0])
		}
	}
}
