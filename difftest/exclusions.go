package difftest

import "os"

// Known, legitimate differences between libseccomp 2.5.4 (the library this
// module links) and libseccomp 2.6.1 (whose behaviour seccomp-go
// implements). Each is excluded as narrowly as the rule set allows.
//
//  1. GHSA-4q85-33p6-j5g6, fixed in 2.6.1 (commit "db: fix a copy-n-paste
//     typo in _db_tree_add()"): when a rule is merged into an existing
//     argument tree and both have a node on the same high word of a 64-bit
//     comparison, with different false-branch actions, 2.5.4 overwrites the
//     existing node's true action instead of its false action. Decisions of
//     a syscall may then differ only if it has two conditional rules with
//     different actions that compare the same argument against constants
//     with equal high words and different low words; only probes of such a
//     syscall are excluded.
//  2. Syscall table changes (tableChanges254): memfd_secret on riscv64 (2.5.4
//     has a pseudo number, 2.6.1 447, wired up in Linux 6.1) and
//     map_shadow_stack on x32 (Debian's 2.5.4 has a pseudo number, 2.6.1
//     453). Probes of that number on that architecture are excluded when
//     the rule set names the syscall.
//  3. Syscalls newer than 2.5.4's table (see newSyscalls) resolve only in
//     2.6.1. Rule sets used here avoid them; profiles drop them before
//     building (Translate counts them).
//
// One difference with libseccomp-golang is not excluded but followed:
// its Add* methods pass an undefined action (ActInvalid, or a value past
// ActKillProcess) on as SECCOMP_RET_KILL_THREAD, where seccomp-go refuses
// the rule (docs/COMPATIBILITY.md). The libseccomp side of the comparison
// does not add such a rule and reports the refusal seccomp-go gives.

type rule struct {
	act   Action
	conds []Cond
}

type exclusions struct {
	ghsa  map[[2]int64]bool // token, nr
	table map[[2]int64]bool // token, nr
}

// tableChanges254 are syscall numbers that differ between the tables of
// libseccomp 2.5.4 (as Debian ships it) and 2.6.1 on the architectures
// compared here.
var tableChanges254 = []struct {
	name, arch string
	nr         int32
}{
	{"memfd_secret", "riscv64", 447},
	{"map_shadow_stack", "x32", 0x40000000 + 453},
}

func newExclusions(rs *RuleSet, arches []string) *exclusions {
	ex := &exclusions{ghsa: map[[2]int64]bool{}, table: map[[2]int64]bool{}}
	byName := map[string][]rule{}
	for _, c := range rs.Calls {
		if !c.isRule() {
			continue
		}
		n := nameOf(c)
		for _, tc := range tableChanges254 {
			if tc.name == n {
				ex.table[[2]int64{int64(archInfos[tc.arch].token), int64(tc.nr)}] = true
			}
		}
		if len(c.Conds) > 0 && n != "" {
			byName[n] = append(byName[n], rule{c.Action, c.Conds})
		}
	}
	for n, rules := range byName {
		if !ghsaPattern(rules) {
			continue
		}
		for _, a := range arches {
			nr, err := LibResolveArch(n, a)
			if err == nil && nr >= 0 {
				ex.ghsa[[2]int64{int64(archInfos[a].token), int64(nr)}] = true
			}
			for _, m := range archInfos[a].muxes {
				ex.ghsa[[2]int64{int64(archInfos[a].token), int64(m)}] = true
			}
		}
	}
	return ex
}

// ghsaPattern reports whether two rules with different actions compare the
// same argument against 64-bit constants that share the high word but not
// the low word.
func ghsaPattern(rules []rule) bool {
	for i := range rules {
		for j := i + 1; j < len(rules); j++ {
			if rules[i].act == rules[j].act {
				continue
			}
			for _, x := range rules[i].conds {
				for _, y := range rules[j].conds {
					if x.Arg == y.Arg && x.A>>32 == y.A>>32 && x.A != y.A {
						return true
					}
					if x.Arg == y.Arg && x.Op == 7 && y.Op == 7 && x.B>>32 == y.B>>32 && x.B != y.B {
						return true
					}
				}
			}
		}
	}
	return false
}

// noExclusions turns the exclusions off, to check them when the module is
// linked against libseccomp 2.6.1 instead of 2.5.4
// (DIFFTEST_NO_EXCLUSIONS=1).
var noExclusions = os.Getenv("DIFFTEST_NO_EXCLUSIONS") == "1"

// explain returns why a differing decision is a known difference, or "".
func (ex *exclusions) explain(d *Data, lib, ours uint32) string {
	if noExclusions {
		return ""
	}
	if ex.ghsa[[2]int64{int64(d.Arch), int64(d.Nr)}] {
		return "GHSA-4q85-33p6-j5g6"
	}
	if ex.table[[2]int64{int64(d.Arch), int64(d.Nr)}] {
		return "syscall table change"
	}
	return ""
}

// newSyscalls are the syscall names that libseccomp 2.6.1 knows and 2.5.4
// does not.
var newSyscalls = map[string]bool{
	"atomic_barrier": true, "atomic_cmpxchg_32": true, "cachestat": true,
	"fchmodat2": true, "file_getattr": true, "file_setattr": true,
	"futex_requeue": true, "futex_wait": true, "futex_wake": true,
	"getpagesize": true, "getxattrat": true, "listmount": true, "listns": true,
	"listxattrat": true, "lsm_get_self_attr": true, "lsm_list_modules": true,
	"lsm_set_self_attr": true, "map_shadow_stack": true, "mseal": true,
	"open_tree_attr": true, "removexattrat": true, "riscv_hwprobe": true,
	"rseq_slice_yield": true, "setxattrat": true, "statmount": true,
	"uprobe": true, "uretprobe": true,
}
