package files

import (
	"bytes"
	"strings"
	"testing"
)

// checkBoundaries is the oracle of lineBoundaries: n+1 offsets from from
// to size, non-decreasing, each a line start (or the end), each the first
// line start at or after its target, so the ranges' lines concatenated are
// the file's lines from from on.
func checkBoundaries(t *testing.T, data []byte, from int64, n int, b []int64) {
	t.Helper()
	size := int64(len(data))
	if len(b) != n+1 || b[0] != from || b[n] != size {
		t.Fatalf("boundaries %v of %d bytes from %d in %d", b, size, from, n)
	}
	// from is where the ranges begin (the end of a header): a start too
	isStart := func(p int64) bool { return p == from || p == 0 || p == size || data[p-1] == '\n' }
	var lines [][]byte
	for i := range n {
		if b[i] > b[i+1] {
			t.Fatalf("boundaries decrease: %v", b)
		}
		if i > 0 {
			if !isStart(b[i]) {
				t.Fatalf("boundary %d at %d is inside a line: %v", i, b[i], b)
			}
			target := from + (size-from)*int64(i)/int64(n)
			if b[i] < target && b[i] != b[i-1] {
				t.Fatalf("boundary %d at %d is before its target %d", i, b[i], target)
			}
			for p := max(target, from); p < b[i]; p++ {
				if isStart(p) && p > b[i-1] && p >= target {
					t.Fatalf("boundary %d at %d passes over the line start %d (target %d)", i, b[i], p, target)
				}
			}
		}
		part := data[b[i]:b[i+1]]
		if len(part) > 0 {
			lines = append(lines, bytes.SplitAfter(part, []byte("\n"))...)
		}
	}
	want := bytes.SplitAfter(data[from:], []byte("\n"))
	if len(data[from:]) == 0 {
		want = nil
	}
	var got, exp [][]byte
	for _, l := range lines {
		if len(l) > 0 {
			got = append(got, l)
		}
	}
	for _, l := range want {
		if len(l) > 0 {
			exp = append(exp, l)
		}
	}
	if len(got) != len(exp) {
		t.Fatalf("the ranges hold %d lines, the file %d", len(got), len(exp))
	}
	for i := range got {
		if !bytes.Equal(got[i], exp[i]) {
			t.Fatalf("line %d: %q in the ranges, %q in the file", i, got[i], exp[i])
		}
	}
}

func TestLineBoundaries(t *testing.T) {
	long := strings.Repeat("x", 100<<10) + "\n" // longer than the read buffer
	tests := []struct {
		name string
		data string
		from int64
		n    int
		want []int64
	}{
		{"even lines", "aaa\nbbb\nccc\nddd\n", 0, 4, []int64{0, 4, 8, 12, 16}},
		{"cut inside a line", "aaaaaa\nb\nc\n", 0, 2, []int64{0, 7, 11}},
		{"target on a line start", "ab\ncd\n", 0, 2, []int64{0, 3, 6}},
		{"one long line", "abcdefgh\n", 0, 3, []int64{0, 9, 9, 9}},
		{"no final newline", "aa\nbb\ncc", 0, 2, []int64{0, 6, 8}},
		{"empty", "", 0, 3, []int64{0, 0, 0, 0}},
		{"after a header", "h1,h2\nx\ny\nz\n", 6, 3, []int64{6, 8, 10, 12}},
		{"more slices than lines", "a\nb\n", 0, 8, []int64{0, 0, 2, 2, 2, 2, 4, 4, 4}},
		{"line past the buffer", long + "tail\n", 0, 2, []int64{0, int64(len(long)), int64(len(long)) + 5}},
		{"one slice", "a\nb\n", 0, 1, []int64{0, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := lineBoundaries(strings.NewReader(tt.data), tt.from, int64(len(tt.data)), tt.n)
			if err != nil {
				t.Fatal(err)
			}
			checkBoundaries(t, []byte(tt.data), tt.from, tt.n, b)
			if tt.want != nil {
				for i := range tt.want {
					if b[i] != tt.want[i] {
						t.Fatalf("boundaries %v, want %v", b, tt.want)
					}
				}
			}
		})
	}
}

func FuzzLineBoundaries(f *testing.F) {
	f.Add([]byte("aaa\nbbb\nccc\n"), uint8(3), uint16(0))
	f.Add([]byte("\n\n\n"), uint8(5), uint16(1))
	f.Add([]byte("no newline"), uint8(2), uint16(3))
	f.Add([]byte("h\r\nx\r\ny\r\n"), uint8(2), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, n uint8, from uint16) {
		if n == 0 || int(from) > len(data) {
			return
		}
		b, err := lineBoundaries(bytes.NewReader(data), int64(from), int64(len(data)), int(n))
		if err != nil {
			t.Fatal(err)
		}
		checkBoundaries(t, data, int64(from), int(n), b)
	})
}

func TestLineRecordsOnly(t *testing.T) {
	tests := []struct {
		head string
		want bool
	}{
		{"a,b\n1,2\n", true},
		{"a,b\n\"x, y\",2\n", true},
		{"a,b\n\"two\nlines\",2\n", false},
		{"a,b\n\"say \"\"hi\nthere\"\"\",2\n", false},
		{"a,b\nin\"side,2\n\"x\"\n", true},
		{"a,b\n\"cr\rhere\",2\n", false},
	}
	for _, tt := range tests {
		if got := lineRecordsOnly([]byte(tt.head), ','); got != tt.want {
			t.Errorf("lineRecordsOnly(%q) = %v, want %v", tt.head, got, tt.want)
		}
	}
}
