package redistest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// LeakyApp is where LoadLeakyApp put each file of the example: one key of
// the file's key pattern, by file relative to the example directory.
type LeakyApp map[string]string

// LoadLeakyApp loads the bundled example (examples/leaky-app) the way an
// app keeps such data in Redis:
//
//   - users.ndjson: hashes user:<id>, nested values as JSON text;
//   - orders, devices and bookings: JSON strings order:<id>, device:<id>,
//     booking:<id>;
//   - exports/sessions.ndjson.gz: hashes session:<session id> with TTLs
//     between 30 minutes and 24 hours;
//   - checkins.ndjson: the stream checkins, one entry per check-in;
//   - exports/newsletter.csv: the set newsletter:subscribers of e-mail
//     addresses and hashes subscriber:<e-mail> of the rows;
//   - backup/admins.json: hashes admin:<id>;
//   - config/app.json: the gzip-compressed JSON string config:app.
func LoadLeakyApp(ctx context.Context, cl *goredis.Client) (LeakyApp, error) {
	dir, err := LeakyAppDir()
	if err != nil {
		return nil, err
	}
	out := LeakyApp{}
	p := cl.Pipeline()
	flush := func() error {
		_, err := p.Exec(ctx)
		return err
	}

	err = eachJSON(filepath.Join(dir, "users.ndjson"), func(i int, d map[string]any) {
		key := fmt.Sprint("user:", d["_id"])
		p.HSet(ctx, key, hashFields(d))
		out["users.ndjson"] = key
	})
	if err != nil {
		return nil, err
	}
	for _, f := range []struct{ file, prefix, id string }{
		{"orders.ndjson", "order:", "order_id"},
		{"devices.ndjson", "device:", "device_id"},
		{"bookings.ndjson", "booking:", "booking_id"},
	} {
		err = eachJSON(filepath.Join(dir, f.file), func(i int, d map[string]any) {
			raw, _ := json.Marshal(d)
			key := fmt.Sprint(f.prefix, d[f.id])
			p.Set(ctx, key, raw, 0)
			out[f.file] = key
		})
		if err != nil {
			return nil, err
		}
	}
	err = eachJSON(filepath.Join(dir, "exports", "sessions.ndjson.gz"), func(i int, d map[string]any) {
		key := fmt.Sprint("session:", d["session_id"])
		p.HSet(ctx, key, hashFields(d))
		p.Expire(ctx, key, 30*time.Minute+time.Duration(i)*23*time.Minute%(23*time.Hour+30*time.Minute))
		out["exports/sessions.ndjson.gz"] = key
	})
	if err != nil {
		return nil, err
	}
	err = eachJSON(filepath.Join(dir, "checkins.ndjson"), func(i int, d map[string]any) {
		p.XAdd(ctx, &goredis.XAddArgs{Stream: "checkins", Values: hashFields(d)})
		out["checkins.ndjson"] = "checkins"
	})
	if err != nil {
		return nil, err
	}
	rows, err := readCSV(filepath.Join(dir, "exports", "newsletter.csv"))
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		p.SAdd(ctx, "newsletter:subscribers", r["email"])
		key := "subscriber:" + r["email"]
		p.HSet(ctx, key, r)
		out["exports/newsletter.csv"] = key
	}
	out["newsletter:subscribers"] = "newsletter:subscribers"
	raw, err := os.ReadFile(filepath.Join(dir, "backup", "admins.json"))
	if err != nil {
		return nil, err
	}
	var admins []map[string]any
	if err := json.Unmarshal(raw, &admins); err != nil {
		return nil, err
	}
	for _, a := range admins {
		key := fmt.Sprint("admin:", a["id"])
		p.HSet(ctx, key, hashFields(a))
		out["backup/admins.json"] = key
	}
	raw, err = os.ReadFile(filepath.Join(dir, "config", "app.json"))
	if err != nil {
		return nil, err
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	p.Set(ctx, "config:app", gz.Bytes(), 0)
	out["config/app.json"] = "config:app"
	return out, flush()
}

// hashFields turns a document into hash fields: text stays text, anything
// else is its JSON.
func hashFields(d map[string]any) map[string]any {
	out := make(map[string]any, len(d))
	for k, v := range d {
		if s, ok := v.(string); ok {
			out[k] = s
			continue
		}
		raw, _ := json.Marshal(v)
		out[k] = string(raw)
	}
	return out
}

func eachJSON(path string, fn func(int, map[string]any)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	if filepath.Ext(path) == ".gz" {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		defer zr.Close()
		r = zr
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	i := 0
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var d map[string]any
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		if err := dec.Decode(&d); err != nil {
			return fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		fn(i, d)
		i++
	}
	return sc.Err()
}

func readCSV(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out, nil
}

// LeakyAppDir is the bundled example, examples/leaky-app of the module.
func LeakyAppDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "examples", "leaky-app"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("redistest: no go.mod above the working directory")
		}
		dir = parent
	}
}
