package connectors

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/piisniff/piisniff/internal/redact"
	"github.com/piisniff/piisniff/report"
)

// Descriptor is everything the rest of piisniff knows of one kind of
// store. A connector package registers exactly one, from init:
//
//	func init() { connectors.Register(descriptor) }
//
// and the CLI imports the package for that side effect (one line in
// cmd/piisniff/connectors.go). Nothing else in the tree names the store.
type Descriptor struct {
	// Name identifies the connector ("mongodb"); it keys Options.Stores.
	Name string
	// Schemes are the URI schemes it serves; "file" stands for plain
	// paths. A scheme belongs to one connector.
	Schemes []string
	// Kinds are the report kinds its targets may have; the first is the
	// kind of a target that could not be opened. Each must be one of the
	// report schema's kinds.
	Kinds []string
	// Targets describe the target forms for --help.
	Targets []TargetForm
	// DefaultPorts are the store's well-known TCP ports; a target written
	// host:port without a scheme gets a "did you mean" hint from them.
	DefaultPorts []int
	// EnvSecrets are environment variables the connector reads credentials
	// from (besides PIISNIFF_PASSWORD): their values are redacted from
	// every output.
	EnvSecrets []string
	// NewOptions returns the connector's own options with their defaults;
	// nil when it has none beyond Options.
	NewOptions func() StoreOptions
	// Check validates a target without contacting the store (syntax, a
	// path that exists); an error is a usage error. Optional.
	Check func(target string, opts Options) error
	// ImpliedTargets returns targets that the options alone name (an
	// Elastic Cloud id), for a scan given no TARGET. Optional.
	ImpliedTargets func(opts Options) ([]string, error)
	// Open connects to the target. target is exactly what the user typed
	// (it may hold credentials: never put it in an error unredacted).
	// opts has its defaults set; the connector's own options are
	// Own[T](opts, Name).
	Open func(ctx context.Context, target string, opts Options) (Connector, error)
}

// TargetForm is one way to write a target, for help texts.
type TargetForm struct {
	Form        string // "mongodb://... or mongodb+srv://..."
	Description string // "a MongoDB server (every driver URI option)"
}

var (
	mu          sync.RWMutex
	descriptors = map[string]*Descriptor{} // by name
	bySchemes   = map[string]*Descriptor{} // by URI scheme
)

// Register makes a connector available. It panics on a malformed
// descriptor or a name or scheme registered twice: both are programming
// errors that the first test run shows.
func Register(d Descriptor) {
	mu.Lock()
	defer mu.Unlock()
	if d.Name == "" || d.Open == nil || len(d.Schemes) == 0 || len(d.Kinds) == 0 {
		panic("connectors: descriptor needs a Name, Schemes, Kinds and Open: " + d.Name)
	}
	if _, dup := descriptors[d.Name]; dup {
		panic("connectors: connector registered twice: " + d.Name)
	}
	for _, s := range d.Schemes {
		if _, dup := bySchemes[s]; dup {
			panic("connectors: scheme registered twice: " + s)
		}
	}
	dd := d
	descriptors[d.Name] = &dd
	for _, s := range d.Schemes {
		bySchemes[s] = &dd
	}
	report.RegisterKinds(d.Kinds...)
}

// Descriptors lists the registered connectors, sorted by name.
func Descriptors() []Descriptor {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Descriptor, 0, len(descriptors))
	for _, d := range descriptors {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the connector registered under name.
func Lookup(name string) (Descriptor, bool) {
	mu.RLock()
	defer mu.RUnlock()
	d, ok := descriptors[name]
	if !ok {
		return Descriptor{}, false
	}
	return *d, true
}

// Schemes lists the registered schemes, sorted.
func Schemes() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(bySchemes))
	for s := range bySchemes {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Scheme returns the URI scheme of a target, or "file" for a plain path.
func Scheme(target string) string {
	i := strings.Index(target, "://")
	if i <= 0 {
		return "file"
	}
	s := strings.ToLower(target[:i])
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.') {
			return "file"
		}
	}
	return s
}

// For returns the descriptor serving target's scheme.
func For(target string) (Descriptor, error) {
	scheme := Scheme(target)
	mu.RLock()
	d, ok := bySchemes[scheme]
	mu.RUnlock()
	if !ok {
		return Descriptor{}, &UnsupportedError{Target: redact.URI(target), Scheme: scheme, Hint: schemeHint(target, scheme)}
	}
	return *d, nil
}

// KindOf is the report kind of target before it is opened (the first kind
// of its connector), or "file" when no connector serves it.
func KindOf(target string) string {
	d, err := For(target)
	if err != nil {
		return "file"
	}
	return d.Kinds[0]
}

// UnsupportedError is returned for a target whose scheme has no connector.
type UnsupportedError struct {
	Target string // redacted
	Scheme string
	Hint   string // "did you mean mongodb://...?", or ""
}

func (e *UnsupportedError) Error() string {
	msg := fmt.Sprintf("%s: unknown target scheme %q (supported: %s, or a file or directory path)",
		e.Target, e.Scheme+"://", strings.Join(Schemes(), ", "))
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// TargetError is a target that is wrong before any store is contacted (a
// mistyped scheme, a path that does not exist): a usage error.
type TargetError struct {
	Target string // redacted
	Err    error
	Hint   string
}

func (e *TargetError) Error() string {
	msg := e.Err.Error()
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

func (e *TargetError) Unwrap() error { return e.Err }

// CheckTarget validates a target without contacting any store: its scheme
// has a connector and the connector's Check accepts it. Errors are
// *UnsupportedError or *TargetError, with credentials redacted and a "did
// you mean" hint where one fits.
func CheckTarget(target string, opts Options) error {
	d, err := For(target)
	if err != nil {
		return err
	}
	if d.Check == nil {
		return nil
	}
	if err := d.Check(target, opts.WithDefaults()); err != nil {
		var te *TargetError
		if errors.As(err, &te) {
			return te
		}
		te = &TargetError{Target: redact.URI(target), Err: redactErr(err, target, opts)}
		if d.Name == "files" {
			te.Hint = hostPortHint(target)
		}
		return te
	}
	return nil
}

func redactErr(err error, target string, opts Options) error {
	return errors.New(redact.Secrets(err.Error(), Secrets(target, opts)...))
}

// schemeHint suggests the registered scheme closest to a mistyped one.
func schemeHint(target, scheme string) string {
	best, bestD := "", 3
	for _, s := range Schemes() {
		if s == "file" {
			continue
		}
		if d := editDistance(scheme, s); d < bestD || d == bestD && s < best {
			best, bestD = s, d
		}
	}
	rest := target[len(scheme)+3:]
	if best != "" {
		return fmt.Sprintf("did you mean %s://%s?", best, redact.URI("x://" + rest)[4:])
	}
	return ""
}

// hostPortHint suggests a scheme for "localhost:27017", written without
// one, from the port.
func hostPortHint(target string) string {
	host, port, err := net.SplitHostPort(target)
	if err != nil || host == "" || strings.ContainsAny(host, "/\\") {
		return ""
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return ""
	}
	for _, d := range Descriptors() {
		for _, dp := range d.DefaultPorts {
			if dp == p {
				return fmt.Sprintf("did you mean %s://%s?", d.Schemes[0], redact.URI(target))
			}
		}
	}
	names := []string{}
	for _, d := range Descriptors() {
		if d.Schemes[0] != "file" {
			names = append(names, d.Schemes[0]+"://"+target)
		}
	}
	return "a network target needs a scheme, for example " + strings.Join(names, " or ")
}

// editDistance is the optimal string alignment distance of two short
// strings: insertions, deletions, substitutions and transpositions of two
// neighbours ("mongdob") each cost one.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// Open resolves the target's scheme and opens its connector.
func Open(ctx context.Context, target string, opts Options) (Connector, error) {
	d, err := For(target)
	if err != nil {
		return nil, err
	}
	return d.Open(ctx, target, opts.WithDefaults())
}

// Secrets lists every credential value that output about target must not
// show: the URI's password, Options' password, each connector's own
// secrets and the values of the environment variables connectors read
// credentials from.
func Secrets(target string, opts Options) []string {
	out := []string{redact.URIPassword(target), opts.Password, opts.Getenv(EnvPassword)}
	for _, d := range Descriptors() {
		for _, e := range d.EnvSecrets {
			out = append(out, opts.Getenv(e))
		}
		if so, ok := opts.Stores[d.Name]; ok && so != nil {
			out = append(out, so.Secrets()...)
		}
	}
	return out
}

// NewStoreOptions returns every connector's own options with their
// defaults, ready for AddFlags and Options.Stores.
func NewStoreOptions() map[string]StoreOptions {
	out := map[string]StoreOptions{}
	for _, d := range Descriptors() {
		if d.NewOptions != nil {
			out[d.Name] = d.NewOptions()
		}
	}
	return out
}

// AddFlags registers the flags of every connector's own options on fs.
func AddFlags(fs *pflag.FlagSet, stores map[string]StoreOptions) {
	for _, d := range Descriptors() {
		if so, ok := stores[d.Name]; ok {
			so.AddFlags(fs)
		}
	}
}

// ValidateStores runs every store's Validate.
func ValidateStores(stores map[string]StoreOptions) error {
	for _, d := range Descriptors() {
		if v, ok := stores[d.Name].(Validator); ok {
			if err := v.Validate(); err != nil {
				return err
			}
		}
	}
	return nil
}

// ImpliedTargets returns the targets the options alone name.
func ImpliedTargets(opts Options) ([]string, error) {
	var out []string
	for _, d := range Descriptors() {
		if d.ImpliedTargets == nil {
			continue
		}
		ts, err := d.ImpliedTargets(opts.WithDefaults())
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	return out, nil
}

// TargetHelp is the TARGET part of help texts, from the registry.
func TargetHelp() string {
	var forms []TargetForm
	for _, d := range Descriptors() {
		forms = append(forms, d.Targets...)
	}
	// paths first, as users meet them first
	sort.SliceStable(forms, func(i, j int) bool {
		return strings.HasPrefix(forms[i].Form, "PATH") && !strings.HasPrefix(forms[j].Form, "PATH")
	})
	width := 0
	for _, f := range forms {
		width = max(width, len(f.Form))
	}
	var b strings.Builder
	for _, f := range forms {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, f.Form, f.Description)
	}
	return b.String()
}
