package accuracy

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/piisniff/piisniff/classifiers"
)

// National person numbers: the generator draws the payload and takes only
// the check digit from the classifiers' published helpers.

func (g g) steuerID() string {
	for {
		body := strconv.Itoa(g.n(1, 9)) + g.digits(9)
		// the issuer's rule: one digit of the first ten appears twice or
		// three times; the validator does not check it, so neither do we
		c, _ := classifiers.SteuerIDCheckDigit(body)
		s := body + string(c)
		if g.chance(0.3) {
			return s[:2] + " " + s[2:5] + " " + s[5:8] + " " + s[8:]
		}
		return s
	}
}

func (g g) pesel() string {
	y, m, d := g.n(0, 99), g.n(1, 12), g.n(1, 28)
	if y < 10 && g.chance(0.5) {
		m += 20 // born 2000-2009
	}
	body := fmt.Sprintf("%02d%02d%02d%s", y, m, d, g.digits(4))
	c, _ := classifiers.PESELCheckDigit(body)
	return body + string(c)
}

func (g g) personnummer() string {
	body := fmt.Sprintf("%02d%02d%02d%s", g.n(30, 99), g.n(1, 12), g.n(1, 28), g.digits(3))
	s := body + string(classifiers.LuhnCheckDigit(body))
	switch g.r.IntN(3) {
	case 0:
		return s[:6] + "-" + s[6:]
	case 1:
		return "19" + s
	}
	return "19" + s[:6] + "-" + s[6:]
}

func (g g) cpf() string {
	body := g.digits(9)
	c, _ := classifiers.CPFCheckDigits(body)
	s := body + c
	if g.chance(0.6) {
		return s[:3] + "." + s[3:6] + "." + s[6:9] + "-" + s[9:]
	}
	return s
}

func (g g) aadhaar() string {
	body := strconv.Itoa(g.n(2, 9)) + g.digits(10)
	c, _ := classifiers.VerhoeffCheckDigit(body)
	s := body + string(c)
	if g.chance(0.6) {
		return s[:4] + " " + s[4:8] + " " + s[8:]
	}
	return s
}

func (g g) sin() string {
	body := g.pick("1", "2", "3", "4", "5", "6", "7", "9") + g.digits(7)
	s := body + string(classifiers.LuhnCheckDigit(body))
	if g.chance(0.5) {
		return s[:3] + " " + s[3:6] + " " + s[6:]
	}
	return s
}

func (g g) itin() string {
	grp := g.pick2(g.n(50, 65), g.n(70, 88), g.n(90, 92), g.n(94, 99))
	return fmt.Sprintf("9%02d-%02d-%04d", g.n(0, 99), grp, g.n(0, 9999))
}

func (g g) blz() string { return strconv.Itoa(g.n(1, 8)) + g.digits(7) }

func (g g) sortCode() string {
	s := fmt.Sprintf("%02d-%02d-%02d", g.n(1, 99), g.n(0, 99), g.n(0, 99))
	if g.chance(0.3) {
		return strings.ReplaceAll(s, "-", "")
	}
	return s
}

// pnrAny is a record locator as airlines issue them: letters and digits,
// letters only in about a fifth.
func (g g) pnrAny() string {
	if g.chance(0.2) {
		return g.chars(6, "ABCDEFGHJKLMNPQRSTUVWXYZ")
	}
	return g.pnr()
}

// promo is a referral or promo code of the same shape as a PNR.
func (g g) promo() string {
	if g.chance(0.5) {
		return g.chars(6, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
	}
	return g.pick("SAVE", "FREE", "VIP", "XMAS") + strconv.Itoa(g.n(10, 99))
}

func (g g) idfa() string { return strings.ToUpper(g.uuid()) }

// ddmmyyyy is a date written day.month.year, as German and other European
// shops write "customer since".
func (g g) ddmmyyyy() string {
	return fmt.Sprintf("%02d.%02d.%04d", g.n(1, 28), g.n(1, 12), g.n(2005, 2025))
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (g g) b64(s string) string {
	if g.chance(0.5) {
		return base64.StdEncoding.EncodeToString([]byte(s))
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// jwtWith is a JWT whose payload holds claims.
func (g g) jwtWith(claims map[string]any) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"` + g.pick("HS256", "RS256", "ES256") + `","typ":"JWT"}`))
	return h + "." + base64.RawURLEncoding.EncodeToString([]byte(jsonString(claims))) + "." + g.chars(43, b64url)
}

func (g g) query(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

func (g g) username() string {
	return ascii(g.first())[:1] + ascii(g.last()) + g.pick("", g.digits(2))
}

func (g g) hostname() string {
	return g.pick("web", "api", "worker", "cache", "db") + "-" + strconv.Itoa(g.n(1, 40)) + "." + g.pick("eu-west-1", "us-east-2", "fra1") + ".internal"
}
