package sqlrows

import (
	"strings"
)

// ReadOnlyStatement reports whether sql is on the allow-list of statements
// a scan may send: SELECT (and WITH ... SELECT), SHOW, SET, BEGIN or START
// TRANSACTION with READ ONLY, COMMIT and ROLLBACK. Several statements
// separated by ";" must each be allowed. A SELECT that writes or locks
// (SELECT ... INTO, FOR UPDATE/SHARE, LOCK IN SHARE MODE, a data-modifying
// WITH, nextval/setval) is refused, as is anything it cannot read. The SQL
// connectors' tests check their statement logs with it.
func ReadOnlyStatement(sql string) bool {
	stmts, ok := splitStatements(sql)
	if !ok {
		return false
	}
	n := 0
	for _, toks := range stmts {
		if len(toks) == 0 {
			continue
		}
		n++
		if !allowed(toks) {
			return false
		}
	}
	return n > 0
}

// writeWords make a statement that names them outside literals and quoted
// identifiers a possible write.
var writeWords = map[string]bool{
	"INSERT": true, "UPDATE": true, "DELETE": true, "MERGE": true, "UPSERT": true,
	"INTO": true, "CREATE": true, "DROP": true, "ALTER": true, "TRUNCATE": true, "GRANT": true,
	"REVOKE": true, "COPY": true, "CALL": true, "EXECUTE": true, "LOCK": true, "SHARE": true,
	"NEXTVAL": true, "SETVAL": true, "OUTFILE": true, "DUMPFILE": true, "WRITE": true,
	"LO_IMPORT": true, "LO_EXPORT": true, "LO_UNLINK": true, "LO_CREATE": true, "LO_FROM_BYTEA": true,
	"LO_PUT": true, "PG_TERMINATE_BACKEND": true, "PG_CANCEL_BACKEND": true, "SET_CONFIG": true,
}

func allowed(toks []string) bool {
	first := toks[0]
	switch first {
	case "SELECT", "WITH", "VALUES", "TABLE", "(":
		return !anyWrite(toks)
	case "SHOW":
		return !anyWrite(toks[1:])
	case "SET":
		// session settings; read-only settings may only be turned on
		for _, t := range toks[1:] {
			if strings.Contains(t, "READ_ONLY") && !contains(toks, "ON") && !contains(toks, "TRUE") {
				return false
			}
		}
		return !anyWrite(toks[1:])
	case "BEGIN", "START":
		if first == "START" && (len(toks) < 2 || toks[1] != "TRANSACTION") {
			return false
		}
		return readOnlyMode(toks) && !anyWrite(toks[1:])
	case "COMMIT", "ROLLBACK", "END", "ABORT":
		for _, t := range toks[1:] {
			switch t {
			case "WORK", "TRANSACTION", "AND", "NO", "CHAIN", "RELEASE":
			default:
				return false
			}
		}
		return true
	}
	return false
}

func anyWrite(toks []string) bool {
	for _, t := range toks {
		if writeWords[t] {
			return true
		}
	}
	return false
}

func contains(toks []string, w string) bool {
	for _, t := range toks {
		if t == w {
			return true
		}
	}
	return false
}

func readOnlyMode(toks []string) bool {
	for i := 0; i+1 < len(toks); i++ {
		if toks[i] == "READ" && toks[i+1] == "ONLY" {
			return true
		}
	}
	return false
}

// splitStatements tokenizes sql into statements of upper-cased words and
// punctuation, leaving out comments, string literals, quoted identifiers,
// dollar-quoted strings and numbers. ok is false when a literal or
// comment is not closed.
func splitStatements(sql string) (stmts [][]string, ok bool) {
	var cur []string
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == ';':
			stmts = append(stmts, cur)
			cur = nil
			i++
		case isSpace(c):
			i++
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-' && (i+2 == len(sql) || isSpace(sql[i+2])):
			// "--" then a space (MySQL needs it; PostgreSQL's "--x" is
			// read as tokens, which may refuse, never allow, more)
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				i = len(sql)
			} else {
				i += j + 1
			}
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			// PostgreSQL nests block comments
			depth := 0
			for i < len(sql) {
				if strings.HasPrefix(sql[i:], "/*") {
					depth++
					i += 2
				} else if strings.HasPrefix(sql[i:], "*/") {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
			if depth != 0 {
				return nil, false
			}
		case c == '\'' || c == '"' || c == '`':
			j, closed := skipQuoted(sql, i, c, false)
			if !closed {
				return nil, false
			}
			cur = append(cur, "?")
			i = j
		case c == '$':
			// $1 parameter or $tag$ ... $tag$ string
			j := i + 1
			for j < len(sql) && (isWordByte(sql[j]) && !(j == i+1 && sql[j] >= '0' && sql[j] <= '9')) {
				j++
			}
			if j < len(sql) && sql[j] == '$' {
				tag := sql[i : j+1]
				end := strings.Index(sql[j+1:], tag)
				if end < 0 {
					return nil, false
				}
				cur = append(cur, "?")
				i = j + 1 + end + len(tag)
				continue
			}
			j = i + 1
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			cur = append(cur, "?")
			i = j
		case isWordByte(c):
			j := i
			for j < len(sql) && isWordByte(sql[j]) {
				j++
			}
			w := sql[i:j]
			if (c == 'E' || c == 'e' || c == 'B' || c == 'b' || c == 'X' || c == 'x' || c == 'N' || c == 'n' || c == 'U' || c == 'u') &&
				j-i <= 2 && j < len(sql) && sql[j] == '\'' {
				// E'...', B'...', X'...', N'...', U&'...' prefixes
				k, closed := skipQuoted(sql, j, '\'', c == 'E' || c == 'e')
				if !closed {
					return nil, false
				}
				cur = append(cur, "?")
				i = k
				continue
			}
			if c >= '0' && c <= '9' {
				cur = append(cur, "?")
			} else {
				cur = append(cur, strings.ToUpper(w))
			}
			i = j
		default:
			cur = append(cur, string(c))
			i++
		}
	}
	stmts = append(stmts, cur)
	return stmts, true
}

// skipQuoted returns the index after the literal or identifier opened by
// q at i; a doubled quote is a quote, and with backslash set a backslash
// escapes (PostgreSQL E'...'). Elsewhere a backslash is taken literally,
// as standard SQL does: a MySQL 'it\'s' then reads as not closed and
// is refused, never as closed early.
func skipQuoted(sql string, i int, q byte, backslash bool) (int, bool) {
	j := i + 1
	for j < len(sql) {
		switch sql[j] {
		case '\\':
			if backslash {
				j += 2
				continue
			}
		case q:
			if j+1 < len(sql) && sql[j+1] == q {
				j += 2
				continue
			}
			return j + 1, true
		}
		j++
	}
	return j, false
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}
