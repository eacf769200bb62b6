// Package examplestore is the smallest complete connector: a store kept in
// memory and reached as example://NAME. It exists to show, and to test,
// that adding a store takes one package and one registration: nothing
// else in the tree names it, yet the CLI's flags, the pipeline, the report
// kinds, redaction and the conformance kit all work with it.
//
// Read it next to the connectors package doc when adding a real store.
package examplestore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redact"
)

// Name is the connector's name in the registry.
const Name = "examplestore"

// EnvToken is an environment variable holding the store's credential.
const EnvToken = "EXAMPLESTORE_TOKEN"

// The registration: the only line that makes the store known.
func init() {
	connectors.Register(connectors.Descriptor{
		Name:         Name,
		Schemes:      []string{"example"},
		Kinds:        []string{"file"}, // a kind of the report schema
		Targets:      []connectors.TargetForm{{Form: "example://NAME", Description: "an in-memory example store (tests only)"}},
		DefaultPorts: []int{7777},
		EnvSecrets:   []string{EnvToken},
		NewOptions:   func() connectors.StoreOptions { return &Options{} },
		Open:         Open,
	})
}

var _ connectors.Connector = (*Conn)(nil)

// Options are the store's own options and their flags.
type Options struct {
	Token string // a credential: redacted everywhere
}

// AddFlags implements connectors.StoreOptions.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Token, "example-token", "", "example store token; prefer "+EnvToken)
}

// Secrets implements connectors.StoreOptions.
func (o *Options) Secrets() []string { return []string{o.Token} }

// Store is one in-memory store: container name → documents.
type Store struct {
	mu         sync.Mutex
	containers map[string][]map[string]any
	log        []string
}

var (
	storesMu sync.Mutex
	stores   = map[string]*Store{}
)

// Serve makes a store reachable as example://name and returns it.
func Serve(name string, containers map[string][]map[string]any) *Store {
	s := &Store{containers: containers}
	storesMu.Lock()
	stores[name] = s
	storesMu.Unlock()
	return s
}

// Log is every command the store received, one entry each.
func (s *Store) Log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

// ReadOnly is the store's allow-list of reads.
func ReadOnly(entry string) bool {
	cmd, _, _ := strings.Cut(entry, " ")
	return cmd == "LIST" || cmd == "COUNT" || cmd == "GET"
}

func (s *Store) command(format string, args ...any) {
	s.mu.Lock()
	s.log = append(s.log, fmt.Sprintf(format, args...))
	s.mu.Unlock()
}

// Conn is an open example store.
type Conn struct {
	uri   string
	store *Store
	opts  connectors.Options
}

// Open connects to example://NAME.
func Open(_ context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
	name := strings.TrimPrefix(target, "example://")
	if i := strings.LastIndexByte(name, '@'); i >= 0 {
		name = name[i+1:]
	}
	storesMu.Lock()
	s, ok := stores[name]
	storesMu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%s: no such example store", redact.URI(target))
	}
	return &Conn{uri: redact.URI(target), store: s, opts: opts}, nil
}

// Kind implements connectors.Connector.
func (c *Conn) Kind() string { return "file" }

// URI implements connectors.Connector.
func (c *Conn) URI() string { return c.uri }

// Exposure implements connectors.Connector.
func (c *Conn) Exposure(context.Context) connectors.Exposure {
	token := connectors.Own[*Options](c.opts, Name).Token
	if token == "" {
		token = c.opts.Getenv(EnvToken)
	}
	return connectors.Exposure{Reachable: true, AnonymousAccess: token == "", Server: "example store", Notes: []string{}}
}

// Containers implements connectors.Connector.
func (c *Conn) Containers(ctx context.Context) ([]connectors.Container, error) {
	c.store.command("LIST")
	var out []connectors.Container
	for name, docs := range c.store.containers {
		if c.opts.Containers.Match(name) {
			out = append(out, connectors.Container{Name: name, EstimatedDocuments: int64(len(docs))})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, ctx.Err()
}

// Sample implements connectors.Connector: a seeded random subset, or all.
func (c *Conn) Sample(ctx context.Context, ct connectors.Container, opts connectors.SampleOptions, emit func(connectors.Document) error) (connectors.SampleResult, error) {
	c.store.command("COUNT %s", ct.Name)
	docs := c.store.containers[ct.Name]
	res := connectors.SampleResult{Method: "all", TotalDocuments: int64(len(docs))}
	idx := make([]int, len(docs))
	for i := range idx {
		idx[i] = i
	}
	if opts.Size > 0 && opts.Size < len(docs) {
		rand.New(rand.NewPCG(uint64(opts.Seed), 0)).Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		idx = idx[:opts.Size]
		sort.Ints(idx)
		res.Method = "random"
	}
	for _, i := range idx {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		c.store.command("GET %s %d", ct.Name, i)
		if err := emit(connectors.Document{Fields: docs[i]}); err != nil {
			return res, err
		}
	}
	return res, nil
}

// Close implements connectors.Connector.
func (c *Conn) Close() error { return nil }
