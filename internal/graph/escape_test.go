package graph

import (
	"strings"
	"testing"
)

func TestDotEscape(t *testing.T) {
	ref := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	for _, s := range []string{"", "read", `a\b`, `say "hi"`, "two\nlines\n", `\"` + "\n\\", "ünïcode\n≥"} {
		if got, want := dotEscape(s), ref.Replace(s); got != want {
			t.Errorf("dotEscape(%q) = %q, want %q", s, got, want)
		}
	}
	if got := dotQuote("a\"b\nc"); got != `"a\"b\nc"` {
		t.Errorf("dotQuote = %s", got)
	}
}
