package config

import (
	"strings"
	"testing"
)

// secretPW stands for every secret in the ledger values below; no redacted
// form may hold it.
const secretPW = "s3cr3t-PW-42"

func TestRedactURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"no secret", "sqlite://./data/tnassign.db", "sqlite://./data/tnassign.db"},
		{"memory", "memory://", "memory://"},
		{"user info", "postgres://tnassign:" + secretPW + "@db.example.com/tnassign", "postgres://tnassign:xxxxx@db.example.com/tnassign"},
		{"user without password", "postgres://tnassign@db.example.com/tnassign", "postgres://tnassign@db.example.com/tnassign"},
		{"escaped password", "postgres://u:" + strings.ReplaceAll(secretPW, "-", "%2D") + "%40@db/x", "postgres://u:xxxxx@db/x"},
		{"password parameter", "postgres://db.example.com/tnassign?sslmode=require&password=" + secretPW, "postgres://db.example.com/tnassign?password=xxxxx&sslmode=require"},
		{"sslpassword parameter", "postgres://u@db/x?sslpassword=" + secretPW, "postgres://u@db/x?sslpassword=xxxxx"},
		{"passfile parameter", "postgres://u@db/x?passfile=/run/" + secretPW, "postgres://u@db/x?passfile=xxxxx"},
		{"mixed-case parameter", "postgres://u@db/x?PassWord=" + secretPW, "postgres://u@db/x?PassWord=xxxxx"},
		{"repeated parameter", "postgres://u@db/x?password=a&password=" + secretPW, "postgres://u@db/x?password=xxxxx"},
		{"host in the query", "postgres:///tnassign?host=/run/pg&password=" + secretPW, "postgres:///tnassign?host=%2Frun%2Fpg&password=xxxxx"},
		{"malformed query", "postgres://u@db/x?password=" + secretPW + "%zz", "postgres://u@db/x?xxxxx"},
		{"fragment", "postgres://u@db/x#" + secretPW, "postgres://u@db/x#xxxxx"},
		{"opaque", "postgres:u:" + secretPW + "@db", "postgres:xxxxx"},
		{"keyword/value", "host=db.example.com user=tnassign password=" + secretPW + " dbname=tnassign", "host=db.example.com user=tnassign password=xxxxx dbname=tnassign"},
		{"keyword/value quoted", `host=db password='` + secretPW + ` with \' quote' sslmode=require`, "host=db password=xxxxx sslmode=require"},
		{"keyword/value spaced", "password = " + secretPW + "  host=db", "password=xxxxx host=db"},
		{"keyword/value unterminated quote", "host=db password='" + secretPW, unparsableRedacted},
		{"keyword/value garbage", "password" + secretPW + "=x=", unparsableRedacted},
		{"keyword/value secret run into the key", "passwordhunter=x host=db", "xxxxx=xxxxx host=db"},
		{"unparsable URL", "postgres://u:" + secretPW + "@db:port/x", unparsableRedacted},
		{"control character", "postgres://u:" + secretPW + "@db/\x7f", unparsableRedacted},
		{"no scheme", secretPW, unparsableRedacted},
		{"empty", "", unparsableRedacted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := redactURL(tc.in)
			if got != tc.want {
				t.Errorf("redactURL = %q, want %q", got, tc.want)
			}
			if strings.Contains(got, secretPW) || strings.Contains(got, "s3cr3t") {
				t.Errorf("the redacted form holds the secret")
			}
		})
	}
}

func TestLedgerScrub(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url, msg string
	}{
		{"the URL quoted", "memory://u:" + secretPW + "@x", `ledger: "memory://u:` + secretPW + `@x": memory:// takes no path`},
		{"the password alone", "postgres://u:" + secretPW + "@db/x", "connect: password " + secretPW + " refused"},
		{"a query secret", "postgres://db/x?sslpassword=" + secretPW, "cannot decrypt key with " + secretPW},
		{"a keyword/value secret", "host=db password='" + secretPW + "'", "bad dsn host=db password='" + secretPW + "'"},
		{"unparsable", "postgres://u:" + secretPW + "@db:port/x", "parse " + "postgres://u:" + secretPW + "@db:port/x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Ledger{URL: tc.url}.Scrub(tc.msg)
			if strings.Contains(got, secretPW) {
				t.Errorf("Scrub left the secret in %q", strings.ReplaceAll(got, secretPW, "<SECRET>"))
			}
		})
	}
}

func TestParseLedgerErrorsHideSecrets(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"postgres:///x?password=" + secretPW,
		"sqlite://?password=" + secretPW,
		"mysql://u:" + secretPW + "@db/x",
		"postgres://u:" + secretPW + "@db:port/x",
		"host=db password=" + secretPW,
	} {
		_, err := ParseLedger(in)
		if err == nil {
			t.Errorf("ParseLedger accepted a bad value")
			continue
		}
		if strings.Contains(err.Error(), secretPW) {
			t.Errorf("ParseLedger's error holds the secret: %s", strings.ReplaceAll(err.Error(), secretPW, "<SECRET>"))
		}
	}
}

func TestCheckURLErrorsHideSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"dashboard.bandwidth.com", `"dashboard.bandwidth.com"`},
		{"ftp://dashboard.bandwidth.com/api", `"ftp://dashboard.bandwidth.com/api"`},
		{"user:" + secretPW + "@dashboard.bandwidth.com", "want an absolute http(s) URL"},
		{"dashboard.bandwidth.com/api?api_key=" + secretPW, "want an absolute http(s) URL"},
		{"https://dash board:" + secretPW + "@x:port", "want an absolute http(s) URL"},
		{"https://u:" + secretPW + "@dashboard.bandwidth.com/api", "credentials do not belong in the URL"},
	}
	for _, tc := range tests {
		err := checkURL("--bandwidth-url", tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("checkURL: %v, want %q", err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), secretPW) {
			t.Errorf("checkURL's error holds the secret")
		}
	}
}
