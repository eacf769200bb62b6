package mysql

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		uri  string
		want target
		err  string
	}{
		{uri: "mysql://127.0.0.1", want: target{Host: "127.0.0.1", Port: 3306}},
		{uri: "mariadb://app:p%40ss@db.example.com:3307/shop", want: target{User: "app", Password: "p@ss", hasPassword: true, Host: "db.example.com", Port: 3307, Database: "shop"}},
		{uri: "mysql://root@[::1]:3306/", want: target{User: "root", Host: "::1", Port: 3306}},
		{uri: "mysql://u:@h/db", want: target{User: "u", hasPassword: true, Host: "h", Port: 3306, Database: "db"}},
		{uri: "mysql://h/db?tls=true", want: target{Host: "h", Port: 3306, Database: "db", TLSMode: tlsVerifyFull}},
		{uri: "mysql://h/?sslmode=require&ssl-ca=/ca.pem", want: target{Host: "h", Port: 3306, TLSMode: tlsRequire, CAFile: "/ca.pem"}},
		{uri: "mysql://h/?ssl-mode=VERIFY_IDENTITY", want: target{Host: "h", Port: 3306, TLSMode: tlsVerifyFull}},
		{uri: "mysql://h/?tls=skip-verify", want: target{Host: "h", Port: 3306, TLSMode: tlsRequire}},
		{uri: "mysql://h/?tls=preferred", want: target{Host: "h", Port: 3306, TLSMode: tlsPreferred}},
		{uri: "mysql://h/?sslmode=disable", want: target{Host: "h", Port: 3306, TLSMode: tlsOff}},
		{uri: "mysql://u@/db?socket=/run/mysqld/mysqld.sock", want: target{User: "u", Port: 3306, Database: "db", Socket: "/run/mysqld/mysqld.sock"}},
		{uri: "mysql://h:0/", err: "not a TCP port"},
		{uri: "mysql://h:/", err: "empty port"},
		{uri: "mysql://h/a/b", err: "more than one part"},
		{uri: "mysql://h/?tls=maybe", err: "unknown TLS mode"},
		{uri: "mysql://h/?charset=latin1", err: "unknown URI parameter"},
		{uri: "mysql:h", err: "not a mysql://"},
		{uri: "postgres://h", err: "not a mysql://"},
	}
	for _, tc := range tests {
		got, err := parseTarget(tc.uri)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err %v, want %q", tc.uri, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %+v %v, want %+v", tc.uri, got, err, tc.want)
		}
	}
}

func TestTLSMode(t *testing.T) {
	tests := []struct {
		t    target
		o    connectors.TLSOptions
		want string
	}{
		{target{}, connectors.TLSOptions{}, tlsOff},
		{target{}, connectors.TLSOptions{CAFile: "ca.pem"}, tlsVerifyFull},
		{target{}, connectors.TLSOptions{Insecure: true}, tlsRequire},
		{target{TLSMode: tlsVerifyFull}, connectors.TLSOptions{Insecure: true}, tlsRequire},
		{target{TLSMode: tlsOff}, connectors.TLSOptions{CAFile: "ca.pem"}, tlsOff},
		{target{CAFile: "ca.pem"}, connectors.TLSOptions{}, tlsVerifyFull},
	}
	for _, tc := range tests {
		if got := tc.t.tlsMode(tc.o); got != tc.want {
			t.Errorf("%+v %+v: %s, want %s", tc.t, tc.o, got, tc.want)
		}
	}
	cfg, err := (target{Host: "db", Port: 3306, TLSMode: tlsVerifyFull}).config(connectors.Options{}, "u", "p")
	if err != nil || cfg.TLS == nil || cfg.TLS.InsecureSkipVerify || cfg.TLS.ServerName != "db" {
		t.Errorf("verify-full: %+v %v", cfg.TLS, err)
	}
	cfg, err = (target{Host: "db", Port: 3306, TLSMode: tlsRequire}).config(connectors.Options{}, "u", "p")
	if err != nil || cfg.TLS == nil || !cfg.TLS.InsecureSkipVerify {
		t.Errorf("require: %+v %v", cfg.TLS, err)
	}
	cfg, err = (target{Host: "db", Port: 3306}).config(connectors.Options{}, "u", "p")
	if err != nil || cfg.TLS != nil || cfg.TLSConfig != "" {
		t.Errorf("no TLS asked: %+v %q %v", cfg.TLS, cfg.TLSConfig, err)
	}
}

// FuzzParseTarget builds a URI from its parts with net/url and checks
// that parseTarget gives the parts back, and that no error holds the
// password.
func FuzzParseTarget(f *testing.F) {
	f.Add("root", "", "127.0.0.1", uint16(3306), "shop", "")
	f.Add("app", "p@ss:w/rd?#", "db.example.com", uint16(0), "", "tls=true")
	f.Add("", "secret", "::1", uint16(1), "a b", "sslmode=verify-ca")
	f.Fuzz(func(t *testing.T, user, pass, host string, port uint16, db, query string) {
		if port == 0 && strings.Contains(host, ":") {
			// a host written with a colon and no port ("::1", ":1") is
			// read with the part after the colon as its port: no oracle
			return
		}
		u := url.URL{Scheme: "mysql", Host: host, Path: "/" + db, RawQuery: query}
		if port != 0 {
			u.Host = host + ":" + strconv.Itoa(int(port))
			if strings.Contains(host, ":") {
				u.Host = "[" + host + "]:" + strconv.Itoa(int(port))
			}
		}
		if user != "" || pass != "" {
			u.User = url.UserPassword(user, pass)
		}
		raw := u.String()
		got, err := parseTarget(raw)
		if err != nil {
			// the error may quote the host, database or a parameter,
			// which may happen to hold the password's text
			quoted := strings.Contains(host+"\x00"+db+"\x00"+query+"\x00"+user, pass)
			if len(pass) >= 3 && !quoted && strings.Contains(err.Error(), pass) {
				t.Fatalf("error holds the password: %v", err)
			}
			return
		}
		if user != "" || pass != "" {
			if got.User != user || got.Password != pass || !got.hasPassword {
				t.Fatalf("%s: user %q password %q, want %q %q", raw, got.User, got.Password, user, pass)
			}
		}
		if query == "" && !strings.Contains(db, "/") && got.Database != db {
			t.Fatalf("%s: database %q, want %q", raw, got.Database, db)
		}
		if port != 0 && got.Port != int(port) {
			t.Fatalf("%s: port %d, want %d", raw, got.Port, port)
		}
		if port == 0 && got.Port != 3306 {
			t.Fatalf("%s: default port %d", raw, got.Port)
		}
		if host != "" && got.Socket == "" && got.Host != host {
			t.Fatalf("%s: host %q, want %q", raw, got.Host, host)
		}
	})
}
