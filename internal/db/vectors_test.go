package db

// TestTreeVectors replays testdata/tree_vectors.txt: random rule sequences
// for syscall 1 on x86_64 and x86, each step with the outcome, the error
// and the entry's state expected after it (see the format below).

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/seccomp-go/seccomp/arch"
)

// vectorState is the state of entry s in the vectors' notation: valid,
// action, priority (hex) and node count, then the tree part of
// fingerprint.
func vectorState(s *sysEntry) string {
	if s == nil {
		return "-"
	}
	f := fingerprint(s)
	return fmt.Sprintf("%v %d %x %d", s.valid, s.action, s.priority, s.nodeCnt) + f[strings.Index(f, "|"):]
}

// vectorRule parses "[arg op A B; ...]" into a rule for syscall 1.
func vectorRule(t *testing.T, act Action, list string) *rule {
	r := &rule{action: act, syscall: 1}
	list = strings.TrimSpace(list)
	if list == "" {
		return r
	}
	r.args = new([6]apiArg)
	for _, c := range strings.Split(list, ";") {
		var arg, op int
		var a, b uint64
		if _, err := fmt.Sscanf(strings.TrimSpace(c), "%d %d %v %v", &arg, &op, &a, &b); err != nil {
			t.Fatalf("bad comparison %q: %v", c, err)
		}
		x := &r.args[arg]
		x.valid, x.op = true, int32(op)
		if op == cmpMaskedEQ {
			x.mask, x.datum = a, b
		} else {
			x.mask, x.datum = datumMax, a
		}
	}
	return r
}

func TestTreeVectors(t *testing.T) {
	fh, err := os.Open("testdata/tree_vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var db *archDB
	line, seqs := 0, 0
	for sc.Scan() {
		line++
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "seq "):
			a := arch.X86_64
			if strings.TrimPrefix(l, "seq ") == "x86" {
				a = arch.X86
			}
			c, err := New(ActKillThread, a, nil)
			if err != nil {
				t.Fatal(err)
			}
			db = c.filters[0]
			seqs++
		case strings.HasPrefix(l, "pri "):
			lhs, want, _ := strings.Cut(l, " => ")
			p, _ := strconv.Atoi(strings.TrimPrefix(lhs, "pri "))
			db.setPriority(1, uint8(p))
			if got := vectorState(db.entry(1)); got != want {
				t.Fatalf("line %d: %s\n got %s\nwant %s", line, lhs, got, want)
			}
		case strings.HasPrefix(l, "add "):
			lhs, rhs, _ := strings.Cut(l, " => ")
			actS, rest, _ := strings.Cut(strings.TrimPrefix(lhs, "add "), " ")
			act, _ := strconv.ParseUint(actS, 0, 32)
			r := vectorRule(t, Action(act), strings.Trim(rest, "[]"))
			out, err := db.ruleAdd(r)
			es := "nil"
			switch err {
			case nil:
			case syscall.EEXIST:
				es = "EEXIST"
			case ErrLoop:
				es = "LOOP"
			default:
				es = err.Error()
			}
			res, state, _ := strings.Cut(rhs, " | ")
			wantRes := res
			gotRes := fmt.Sprintf("out %d err %s", out, es)
			if err != nil {
				gotRes = "err " + es
				wantRes = res[strings.Index(res, "err "):]
			}
			if gotRes != wantRes {
				t.Fatalf("line %d: %s\n got %s\nwant %s", line, lhs, gotRes, wantRes)
			}
			if err == nil {
				if got := vectorState(db.entry(1)); got != state {
					t.Fatalf("line %d: %s\n got %s\nwant %s", line, lhs, got, state)
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if seqs < 200 {
		t.Fatalf("only %d sequences", seqs)
	}
}
