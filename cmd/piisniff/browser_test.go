package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/piisniff/piisniff/report"
)

var screenshotOut = flag.String("screenshot", "", "also save the browser test's screenshot of the example's HTML report to this file")

var (
	chromiumOnce sync.Once
	chromiumPath string
	chromiumErr  error
)

// chromium finds a headless-capable Chromium, installing Debian's chromium
// package when it is missing and this is CI or the test runs as root. Without
// one it skips the test, except with CI=true, where it fails.
func chromium(t *testing.T) string {
	t.Helper()
	chromiumOnce.Do(func() {
		chromiumPath, chromiumErr = findOrInstallChromium()
	})
	if chromiumErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the browser test needs chromium: %v", chromiumErr)
		}
		t.Skipf("skipping the browser test: %v (install Debian's chromium package, or run as root or with CI=true to let the test install it)", chromiumErr)
	}
	return chromiumPath
}

func findOrInstallChromium() (string, error) {
	find := func() string {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
			if p, err := exec.LookPath(name); err == nil {
				return p
			}
		}
		return ""
	}
	if p := find(); p != "" {
		return p, nil
	}
	if os.Geteuid() != 0 && os.Getenv("CI") != "true" {
		return "", fmt.Errorf("chromium is not installed and the test is not root")
	}
	aptGet, err := exec.LookPath("apt-get")
	if err != nil {
		return "", fmt.Errorf("chromium is not installed and there is no apt-get to install it")
	}
	install := func() ([]byte, error) {
		cmd := exec.Command(aptGet, "install", "-y", "chromium")
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		return cmd.CombinedOutput()
	}
	out, err := install()
	if err != nil {
		// the package lists may be missing or stale
		if upd, uerr := exec.Command(aptGet, "update").CombinedOutput(); uerr != nil {
			return "", fmt.Errorf("apt-get update: %v\n%s", uerr, upd)
		}
		if out, err = install(); err != nil {
			return "", fmt.Errorf("apt-get install chromium: %v\n%s", err, lastLines(string(out), 10))
		}
	}
	if p := find(); p != "" {
		return p, nil
	}
	return "", fmt.Errorf("chromium installed but not found in PATH")
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// headless runs chromium on a page with the given extra flags and returns
// its standard output and error.
func headless(t *testing.T, browser, page string, extra ...string) (string, string) {
	t.Helper()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}
	args = append(append(args, extra...), page)
	// a guard against a browser that never exits, not a timing assertion
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", browser, err, lastLines(errb.String(), 20))
	}
	for _, line := range strings.Split(errb.String(), "\n") {
		// the page logs nothing: any console message is an error, a
		// blocked request or an uncaught exception
		if strings.Contains(line, ":CONSOLE") {
			t.Errorf("browser console: %s", line)
		}
	}
	return out.String(), errb.String()
}

var (
	findingRow = regexp.MustCompile(`<tr class="finding"[^>]*>`)
	firstCells = regexp.MustCompile(`<tr class="finding"[^>]*><td[^>]*>.*?</td><td>([^<]*)</td>`)
	countText  = regexp.MustCompile(`<span id="count"[^>]*>([^<]*)</span>`)
)

// visibleRows lists the finding rows the script left visible.
func visibleRows(dom string) []string {
	var out []string
	for _, tr := range findingRow.FindAllString(dom, -1) {
		if !strings.Contains(tr, " hidden") {
			out = append(out, tr)
		}
	}
	return out
}

func TestHTMLReportInBrowser(t *testing.T) {
	browser := chromium(t)
	dir := t.TempDir()

	// the same scan as JSON, to know the expected rows
	res := runCLI(t, nil, "scan", example, "-q", "-f", "json")
	if res.code != 0 {
		t.Fatalf("scan: exit %d: %s", res.code, res.stderr)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatal(err)
	}
	flat := report.Flatten(&r)
	payment := 0
	for _, f := range flat {
		if f.Group == "payment" {
			payment++
		}
	}
	if len(flat) < 20 || payment == 0 {
		t.Fatalf("the example gave %d findings, %d payment", len(flat), payment)
	}

	page := filepath.Join(dir, "report.html")
	res = runCLI(t, nil, "scan", example, "-q", "-o", page)
	if res.code != 0 {
		t.Fatalf("scan -o report.html: exit %d: %s", res.code, res.stderr)
	}
	url := "file://" + page

	t.Run("rows", func(t *testing.T) {
		dom, _ := headless(t, browser, url, "--dump-dom")
		if !strings.Contains(dom, `data-ready="1"`) {
			t.Fatalf("the page script did not finish; DOM starts:\n%.2000s", dom)
		}
		if body := regexp.MustCompile(`<body[^>]*>`).FindString(dom); strings.Contains(body, "data-js-errors") {
			t.Errorf("script errors: %s", body)
		}
		if n := len(visibleRows(dom)); n != len(flat) {
			t.Errorf("%d rows shown, want %d", n, len(flat))
		}
		want := fmt.Sprintf("%d of %d findings shown", len(flat), len(flat))
		if m := countText.FindStringSubmatch(dom); m == nil || m[1] != want {
			t.Errorf("count %v, want %q (written by the script)", m, want)
		}
		for _, s := range []string{"usable card", "account takeover kit", "identity theft kit", "Notification guidance",
			`id="chart-risk"`, `id="chart-heat"`, `id="chart-groups"`, "users.ndjson", "payment.card_number"} {
			if !strings.Contains(dom, s) {
				t.Errorf("page lacks %q", s)
			}
		}
		if first := firstCells.FindStringSubmatch(dom); first == nil || first[1] != flat[0].Category {
			t.Errorf("first row %v, want the riskiest finding, %s", first, flat[0].Category)
		}
	})

	t.Run("filter", func(t *testing.T) {
		dom, _ := headless(t, browser, url+"#group=payment", "--dump-dom")
		rows := visibleRows(dom)
		if len(rows) != payment {
			t.Errorf("%d rows shown for group=payment, want %d", len(rows), payment)
		}
		for _, tr := range rows {
			if !strings.Contains(tr, `data-group="payment"`) {
				t.Errorf("filtered row %s", tr)
			}
		}
		want := fmt.Sprintf("%d of %d findings shown", payment, len(flat))
		if m := countText.FindStringSubmatch(dom); m == nil || m[1] != want {
			t.Errorf("count %v, want %q", m, want)
		}
	})

	t.Run("sort", func(t *testing.T) {
		dom, _ := headless(t, browser, url+"#sort=category", "--dump-dom")
		var cats []string
		for _, m := range firstCells.FindAllStringSubmatch(dom, -1) {
			cats = append(cats, m[1])
		}
		if len(cats) != len(flat) {
			t.Fatalf("%d rows after sorting, want %d", len(cats), len(flat))
		}
		for i := 1; i < len(cats); i++ {
			if cats[i] < cats[i-1] {
				t.Fatalf("not sorted by category at row %d: %s after %s", i+1, cats[i], cats[i-1])
			}
		}
	})

	t.Run("screenshot", func(t *testing.T) {
		shot := filepath.Join(dir, "report.png")
		headless(t, browser, url, "--screenshot="+shot, "--window-size=1280,2000", "--hide-scrollbars")
		f, err := os.Open(shot)
		if err != nil {
			t.Fatalf("no screenshot: %v", err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("screenshot is not a PNG: %v", err)
		}
		b := img.Bounds()
		if b.Dx() < 1000 || b.Dy() < 1000 {
			t.Errorf("screenshot %dx%d, want 1280x2000", b.Dx(), b.Dy())
		}
		colours := map[[3]uint32]bool{}
		nonWhite := 0
		for y := b.Min.Y; y < b.Max.Y; y += 2 {
			for x := b.Min.X; x < b.Max.X; x += 2 {
				r, g, bl, _ := img.At(x, y).RGBA()
				colours[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
				if r>>8 < 240 || g>>8 < 240 || bl>>8 < 240 {
					nonWhite++
				}
			}
		}
		total := (b.Dx() / 2) * (b.Dy() / 2)
		if len(colours) < 50 || nonWhite < total/20 {
			t.Errorf("screenshot looks blank: %d colours, %d of %d sampled pixels not white", len(colours), nonWhite, total)
		}
		if *screenshotOut != "" {
			data, _ := os.ReadFile(shot)
			if err := os.WriteFile(*screenshotOut, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	})
}
