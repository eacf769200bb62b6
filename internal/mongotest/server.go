// Package mongotest runs an embedded FerretDB server (MongoDB wire protocol,
// SQLite storage in a temporary directory) on a free loopback port, and loads
// fixtures into it. Tests of any package can use it; nothing outside tests
// should import it.
package mongotest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// Server is a running embedded FerretDB.
type Server struct {
	// URI is the mongodb:// URI of the server (no credentials, no database).
	URI string
	// Dir is the SQLite data directory.
	Dir string

	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// Config tunes a server. The zero value is a plain TCP server.
type Config struct {
	// TLS, when set, makes the server listen with TLS only.
	TLS *TLSFiles
	// Logger receives FerretDB's logs; nil discards them.
	Logger *slog.Logger
}

// TLSFiles are PEM files for a TLS listener.
type TLSFiles struct {
	CertFile string
	KeyFile  string
	// CAFile, when set, makes the server require client certificates
	// signed by it.
	CAFile string
}

// New starts a server storing its data in dir (created when missing). The
// caller must Close it. Use Start in tests.
func New(dir string, cfg Config) (*Server, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	fc := &ferretdb.Config{
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	}
	if cfg.TLS != nil {
		fc.Listener = ferretdb.ListenerConfig{
			TLS:         "127.0.0.1:0",
			TLSCertFile: cfg.TLS.CertFile,
			TLSKeyFile:  cfg.TLS.KeyFile,
			TLSCAFile:   cfg.TLS.CAFile,
		}
	} else {
		fc.Listener = ferretdb.ListenerConfig{TCP: "127.0.0.1:0"}
	}
	f, err := ferretdb.New(fc)
	if err != nil {
		return nil, fmt.Errorf("mongotest: start FerretDB: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{URI: f.MongoDBURI(), Dir: abs, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		_ = f.Run(ctx)
	}()
	if cfg.TLS == nil {
		if err := s.waitReady(); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func (s *Server) waitReady() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := mongo.Connect(options.Client().ApplyURI(s.URI))
	if err != nil {
		return err
	}
	defer c.Disconnect(context.Background())
	var last error
	for ctx.Err() == nil {
		if last = c.Ping(ctx, readpref.Primary()); last == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.Join(errors.New("mongotest: server did not become ready"), last)
}

// Close stops the server and waits for it. It is safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		s.cancel()
		<-s.done
	})
}

// Start starts a server for the duration of the test, with its data in a
// temporary directory.
func Start(tb testing.TB) *Server {
	return StartConfig(tb, Config{})
}

// StartConfig is Start with a configuration.
func StartConfig(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	s, err := New(tb.TempDir(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Client connects a driver client to the server (for loading fixtures and
// checking data); it is disconnected when the test ends.
func (s *Server) Client(tb testing.TB) *mongo.Client {
	tb.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(s.URI))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}
