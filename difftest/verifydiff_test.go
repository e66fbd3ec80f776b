package difftest

import (
	"encoding/binary"
	"testing"

	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/verify"
)

// TestDiffProfilesVsLibseccomp computes, with verify.Diff, exactly where
// libseccomp's program for each test profile and ours decide differently,
// and checks that every such input is a known difference: a syscall
// table change or GHSA-4q85-33p6-j5g6 (exclusions.go), or a path through
// a stale-accumulator comparison of libseccomp's program (defects.go).
// Unlike the probe comparisons, this covers every input.
func TestDiffProfilesVsLibseccomp(t *testing.T) {
	var profiles, regions, known int
	for _, p := range testProfiles(t) {
		tp, err := Translate(p)
		if err != nil {
			t.Fatal(err)
		}
		rs := tp.RuleSet
		lb, ob := BuildLib(rs), BuildOurs(rs)
		if lb.Export != "ok" || ob.Export != "ok" {
			t.Fatalf("%s: export: libseccomp %s, ours %s", p.Name, lb.Export, ob.Export)
		}
		var progs [2]bpf.Program
		for i, raw := range [][]byte{lb.Prog, ob.Prog} {
			if progs[i], err = bpf.Unmarshal(raw, binary.LittleEndian); err != nil {
				t.Fatal(err)
			}
		}
		diff, _, err := verify.Diff(progs[0], progs[1])
		if err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		profiles++
		ex := newExclusions(rs, lb.Arches)
		lp, _ := decode(lb.Prog)
		tokens := map[uint32]bool{}
		for _, a := range lb.Arches {
			tokens[archInfos[a].token] = true
		}
		stale := staleCompares(lp, tokens)
		for _, r := range diff {
			regions++
			nr := r.Words[bpf.OffsetNr/4]
			if uint64(nr.Hi)-uint64(nr.Lo) > 64 {
				t.Errorf("%s: libseccomp and ours differ on a range of syscall numbers %+v: %#x vs %#x", p.Name, nr, r.A, r.B)
				continue
			}
			// Every number of the region must be a known difference: the
			// exclusions are per syscall number.
			logged := false
			for n := uint64(nr.Lo); n <= uint64(nr.Hi); n++ {
				if !nr.Contains(uint32(n)) {
					continue
				}
				w := r.Witness
				w[bpf.OffsetNr/4] = uint32(n)
				bd := verify.DataOf(w, binary.LittleEndian)
				d := &Data{Nr: bd.Nr, Arch: bd.Arch, IP: bd.InstructionPointer, Args: bd.Args}
				why := ex.explain(d, r.A, r.B)
				if why == "" && pathHits(lp, d, stale) {
					why = "stale accumulator in libseccomp's program"
				}
				if why == "" {
					t.Errorf("%s: libseccomp %s, ours %s on %s, not a known difference", p.Name, RetString(r.A), RetString(r.B), DescribeData(d))
				} else if !logged {
					logged = true
					t.Logf("%s: libseccomp %s, ours %s on %s: %s", p.Name, RetString(r.A), RetString(r.B), DescribeData(d), why)
				}
			}
			known++
		}
	}
	t.Logf("%d profiles: %d regions where libseccomp's program and ours differ, all known differences", profiles, known)
}
