// Package redistest gives tests a Redis database of their own on the shared
// server (127.0.0.1:6379, or $PIISNIFF_REDIS_ADDR), starts throw-away
// servers and clusters, and loads the bundled example into Redis.
//
// The shared server is shared: a test claims an empty database among
// 9..15 (a claim key written with SET NX, so that two tests never take the
// same one), writes only there and deletes what it wrote when it ends. It
// never sends FLUSHALL or FLUSHDB.
package redistest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// ClaimKey marks a database as taken by a test; it expires by itself should
// the test die without cleaning up.
const ClaimKey = "piisniff:claim"

// Addr is the shared server's address.
func Addr() string {
	if a := os.Getenv("PIISNIFF_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// DB is one database of the shared server claimed by a test.
type DB struct {
	N      int
	Client *goredis.Client
}

// URI is the redis:// URI of the database.
func (d *DB) URI() string { return fmt.Sprintf("redis://%s/%d", Addr(), d.N) }

// Require returns a client of the shared server's database 0, or skips the
// test (fails it when CI=true) when the server cannot be reached.
func Require(t testing.TB) *goredis.Client {
	t.Helper()
	cl := goredis.NewClient(&goredis.Options{Addr: Addr(), Protocol: 2, DisableIdentity: true})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := cl.Ping(ctx).Err(); err != nil {
		cl.Close()
		msg := fmt.Sprintf("Redis at %s not reachable (%v); start it with: redis-server --daemonize yes --save '' --appendonly no", Addr(), err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// Claim takes an empty database among 9..15 for the test and empties it
// (of the test's keys only: the database was empty when claimed) when the
// test ends.
func Claim(t testing.TB) *DB {
	t.Helper()
	Require(t)
	ctx := context.Background()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		for _, n := range rand.Perm(7) {
			db := 9 + n
			cl := goredis.NewClient(&goredis.Options{Addr: Addr(), DB: db, Protocol: 2, DisableIdentity: true})
			size, err := cl.DBSize(ctx).Result()
			if err != nil {
				cl.Close()
				t.Fatal(err)
			}
			if size == 0 {
				if ok, err := cl.SetNX(ctx, ClaimKey, t.Name(), 30*time.Minute).Result(); err == nil && ok {
					d := &DB{N: db, Client: cl}
					t.Cleanup(func() {
						if err := DeleteAll(context.Background(), cl); err != nil {
							t.Errorf("cleaning up db %d: %v", db, err)
						}
						cl.Close()
					})
					return d
				}
			}
			cl.Close()
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("no free Redis database among 9..15 within 2 minutes")
	return nil
}

// DeleteAll deletes the keys of a claimed database, the claim last.
func DeleteAll(ctx context.Context, cl *goredis.Client) error {
	if err := DeletePrefix(ctx, cl, ""); err != nil {
		return err
	}
	return cl.Del(ctx, ClaimKey).Err()
}

// DeletePrefix deletes the keys that start with prefix (found with SCAN
// MATCH), except the claim key.
func DeletePrefix(ctx context.Context, cl *goredis.Client, prefix string) error {
	var cursor uint64
	for {
		keys, next, err := cl.Scan(ctx, cursor, globEscape(prefix)+"*", 1000).Result()
		if err != nil {
			return err
		}
		del := keys[:0]
		for _, k := range keys {
			if k != ClaimKey {
				del = append(del, k)
			}
		}
		if len(del) > 0 {
			if err := cl.Unlink(ctx, del...).Err(); err != nil {
				return err
			}
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}

func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Dump is every key of the database with its type, TTL presence and DUMP
// serialisation (values and encodings), sorted: equal dumps before and
// after a scan prove nothing changed.
func Dump(ctx context.Context, cl *goredis.Client) (string, error) {
	var keys []string
	var cursor uint64
	for {
		ks, next, err := cl.Scan(ctx, cursor, "", 1000).Result()
		if err != nil {
			return "", err
		}
		keys = append(keys, ks...)
		if next == 0 {
			break
		}
		cursor = next
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		d, err := cl.Dump(ctx, k).Result()
		if err != nil {
			return "", fmt.Errorf("DUMP %s: %w", k, err)
		}
		ttl, _ := cl.PTTL(ctx, k).Result()
		fmt.Fprintf(&b, "%q ttl:%v %x\n", k, ttl > 0, d)
	}
	return b.String(), nil
}
