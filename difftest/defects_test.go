package difftest

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestLibseccompDefects pins the libseccomp defects the differential tests
// found, on minimal rule sets. Our decisions must follow the rules (the
// expected values are worked out by hand from the rules); libseccomp's
// behaviour is only reported, so that a fixed libseccomp shows up in the
// log without failing the test.
func TestLibseccompDefects(t *testing.T) {
	allow := Action{Kind: ActAllow}
	type probe struct {
		d    Data
		want uint32
	}
	cases := []struct {
		name   string
		rs     *RuleSet
		probes []probe
		hang   bool
	}{{
		name: "priority on a syscall without rules drops the syscall-number load",
		rs: &RuleSet{Default: allow, Arches: []string{"x86"}, Calls: []Call{
			{Kind: CallSetSyscallPriority, Name: "renameat", Priority: 59},
			{Kind: CallAddRule, Name: "personality", Action: Action{Kind: ActTrace}},
		}},
		probes: []probe{
			{Data{Nr: 136, Arch: 0x40000003}, 0x7ff00000}, // personality: TRACE(0)
			{Data{Nr: 20, Arch: 0x40000003}, 0x7fff0000},  // getpid: default
		},
	}, {
		name: "a rule for a syscall the architecture lacks drops the syscall-number load",
		rs: &RuleSet{Default: Action{Kind: ActTrace, Data: 0x7fff}, Arches: []string{"arm"}, Calls: []Call{
			{Kind: CallAddRuleConditional, Name: "acct", Action: allow, Conds: []Cond{{Arg: 2, Op: 5, A: 0x14}}},
			{Kind: CallAddRuleConditional, Name: "mmap", Action: Action{Kind: ActKillProcess}},
		}},
		probes: []probe{
			{Data{Nr: 51, Arch: 0x40000028, Args: [6]uint64{0, 0, 0x14}}, 0x7fff0000}, // acct, a2 >= 0x14: ALLOW
			{Data{Nr: 51, Arch: 0x40000028, Args: [6]uint64{0, 0, 0x13}}, 0x7ff07fff}, // acct, a2 < 0x14: default
		},
	}, {
		name: "a failed low-word check falls through to a high-word check without reloading",
		rs: &RuleSet{Default: allow, Arches: []string{"x86_64"}, Calls: []Call{
			{Kind: CallAddRuleConditional, Name: "arch_prctl", Action: Action{Kind: ActNotify}, Conds: []Cond{{Arg: 0, Op: 3, A: 0x20000}}},
			{Kind: CallAddRuleConditional, Name: "arch_prctl", Action: Action{Kind: ActLog}, Conds: []Cond{{Arg: 0, Op: 6, A: 0xca63dabba70c1a8d}}},
		}},
		probes: []probe{
			{Data{Nr: 158, Arch: 0xc000003e, Args: [6]uint64{0xffffffff}}, 0x7fff0000},         // neither rule: default
			{Data{Nr: 158, Arch: 0xc000003e, Args: [6]uint64{0x20000}}, 0x7fc00000},            // a0 <= 0x20000: NOTIFY
			{Data{Nr: 158, Arch: 0xc000003e, Args: [6]uint64{0xca63dabba70c1a8e}}, 0x7ffc0000}, // a0 > constant: LOG
		},
	}, {
		// seccomp-go refuses the second rule with an error instead.
		name: "seccomp_rule_add never returns (2.5.4 and 2.6.1)",
		rs: &RuleSet{Default: Action{Kind: ActErrno, Data: 13}, Arches: []string{"x86_64"}, Calls: []Call{
			{Kind: CallAddRuleConditional, Name: "clone3", Action: Action{Kind: ActLog}, Conds: []Cond{{Arg: 1, Op: 6, A: 0x18}, {Arg: 0, Op: 1, A: 5}}},
			{Kind: CallAddRuleConditional, Name: "clone3", Action: allow, Conds: []Cond{{Arg: 4, Op: 4, A: 5}, {Arg: 0, Op: 1, A: 5}}},
		}},
		hang: true,
		probes: []probe{
			{Data{Nr: 435, Arch: 0xc000003e, Args: [6]uint64{6, 0x19}}, 0x7ffc0000},       // first rule: LOG
			{Data{Nr: 435, Arch: 0xc000003e, Args: [6]uint64{6, 0, 0, 0, 5}}, 0x5000d},    // second rule refused: default
			{Data{Nr: 435, Arch: 0xc000003e, Args: [6]uint64{5, 0x19, 0, 0, 5}}, 0x5000d}, // a0 == 5: default
		},
	}}
	w, err := NewWorker()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.Timeout = 2 * time.Second
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ob := BuildOurs(c.rs)
			if ob.Export != "ok" {
				t.Fatalf("export: %s", ob.Export)
			}
			if ob.Proof != "ok" {
				t.Errorf("Verify: %s", ob.Proof)
			}
			if c.hang && ob.Verdicts[len(ob.Verdicts)-1] == "nr=435 ok" {
				t.Errorf("ours accepts the rule libseccomp cannot add")
			}
			orun, err := BPFRunner(ob.Prog)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range c.probes {
				if got, _, err := orun(&p.d); err != nil || got != p.want {
					t.Errorf("ours decides %s as %s (%v), want %s", DescribeData(&p.d), RetString(got), err, RetString(p.want))
				}
			}
			lb, err := w.Build(c.rs)
			switch {
			case c.hang && errors.Is(err, ErrLibHang):
				t.Logf("libseccomp still hangs")
				return
			case err != nil:
				t.Fatalf("libseccomp: %v", err)
			}
			lrun, err := RefRunner(lb.Prog)
			if err != nil {
				t.Fatal(err)
			}
			wrong := 0
			for _, p := range c.probes {
				if got, _, _ := lrun(&p.d); got != p.want {
					wrong++
				}
			}
			lp, _ := decode(lb.Prog)
			t.Logf("libseccomp decides %d of %d probes against the rules; stale comparisons in its program: %d", wrong, len(c.probes), len(staleCompares(lp, map[uint32]bool{0x40000003: true, 0x40000028: true, 0xc000003e: true})))
		})
	}
}

// TestStaleCompares checks staleCompares and pathHits on hand-written
// programs: a well-formed one, one that compares the architecture token
// with a syscall number, and one whose comparison sees different words on
// different paths.
func TestStaleCompares(t *testing.T) {
	const x8664 = 0xc000003e
	tokens := map[uint32]bool{x8664: true}
	cases := []struct {
		name  string
		prog  []insn
		stale []int
		hits  map[Data]bool
	}{{
		name: "syscall number loaded after the architecture check",
		prog: []insn{
			{0x20, 0, 0, 4}, {0x15, 0, 3, x8664},
			{0x20, 0, 0, 0}, {0x15, 0, 1, 59},
			{0x06, 0, 0, 0x7fff0000}, {0x06, 0, 0, 0},
		},
		hits: map[Data]bool{{Nr: 59, Arch: x8664}: false},
	}, {
		name: "syscall number compared with the architecture token",
		prog: []insn{
			{0x20, 0, 0, 4}, {0x15, 0, 2, x8664},
			{0x15, 0, 1, 59},
			{0x06, 0, 0, 0x7fff0000}, {0x06, 0, 0, 0},
		},
		stale: []int{2},
		hits:  map[Data]bool{{Nr: 59, Arch: x8664}: true, {Nr: 59, Arch: 0x40000003}: false},
	}, {
		name: "argument compared after one path loaded it and another did not",
		prog: []insn{
			{0x20, 0, 0, 0}, {0x15, 0, 1, 59},
			{0x20, 0, 0, 16},
			{0x15, 0, 1, 7},
			{0x06, 0, 0, 0x7fff0000}, {0x06, 0, 0, 0},
		},
		stale: []int{3},
		hits:  map[Data]bool{{Nr: 59}: true, {Nr: 60}: true},
	}}
	for _, c := range cases {
		got := staleCompares(c.prog, tokens)
		want := map[int]bool{}
		for _, pc := range c.stale {
			want[pc] = true
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: staleCompares %v, want %v", c.name, got, want)
		}
		for d, hit := range c.hits {
			if pathHits(c.prog, &d, got) != hit {
				t.Errorf("%s: pathHits(%s) = %v, want %v", c.name, DescribeData(&d), !hit, hit)
			}
		}
	}
}
