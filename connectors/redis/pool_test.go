package redis

import (
	"context"
	"testing"

	goredis "github.com/redis/go-redis/v9"
)

// TestPoolsLetGo: what the reads give back to their pools holds nothing
// of the keys and commands it held (a pooled list that kept them would
// keep a batch's keys and replies alive until it is taken again), and is
// handed out empty.
func TestPoolsLetGo(t *testing.T) {
	a := getArgs(8)
	key := "user:1"
	args := a.take("get", &key)
	if len(args) != 2 || cap(args) != 2 {
		t.Fatalf("take: %d args, cap %d", len(args), cap(args))
	}
	putArgs(a)
	for i, v := range (*a)[:cap(*a)] {
		if v != nil {
			t.Fatalf("argument %d kept after putArgs: %v", i, v)
		}
	}
	if b := getArgs(8); len(*b) != 0 {
		t.Fatalf("getArgs: %d arguments in a new arena", len(*b))
	}

	b := getStates(3)
	if len(b.states) != 0 || len(b.ks) != 0 || cap(b.states) < 3 || cap(b.ks) < 3 {
		t.Fatalf("getStates(3): %d/%d states, %d/%d pointers", len(b.states), cap(b.states), len(b.ks), cap(b.ks))
	}
	states, ks := b.states, b.ks
	for _, k := range []string{"a", "b", "c"} {
		states = append(states, keyState{key: k, ids: []string{k}, val: k, read: true})
		ks = append(ks, &states[len(states)-1])
	}
	putStates(b)
	for i := range states {
		if st := states[i]; st.key != "" || st.ids != nil || st.val != "" || st.read || ks[i] != nil {
			t.Fatalf("state %d kept after putStates: %+v", i, states[i])
		}
	}

	q := getCmds(2)
	*q = append(*q, goredis.NewStringCmd(context.Background(), "get", "k"))
	putCmds(q)
	if len(*q) != 0 || (*q)[:1][0] != nil {
		t.Fatal("a command kept after putCmds")
	}
}
