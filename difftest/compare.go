package difftest

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/seccomp-go/seccomp/bpf"
)

// Exec runs one prepared program on one input.
type Exec func(d *Data) (ret uint32, steps int, err error)

// Runner prepares a raw little-endian BPF program for running.
type Runner func(prog []byte) (Exec, error)

// RefRunner runs programs with the package's own small interpreter.
func RefRunner(prog []byte) (Exec, error) {
	p, err := decode(prog)
	if err != nil {
		return nil, err
	}
	return func(d *Data) (uint32, int, error) { return refRun(p, d) }, nil
}

// BPFRunner runs programs with the project's interpreter, bpf.VM, after
// bpf.Program.Verify accepted them.
func BPFRunner(prog []byte) (Exec, error) {
	p, err := bpf.Unmarshal(prog, binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	vm, err := bpf.NewVM(p, binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	return func(d *Data) (uint32, int, error) {
		return vm.Run(bpf.Data{Nr: d.Nr, Arch: d.Arch, InstructionPointer: d.IP, Args: d.Args})
	}, nil
}

// Report is the outcome of comparing one rule set.
type Report struct {
	Calls      int
	Probes     int
	Mismatches []string // each a minimal description
	// Excluded counts decisions that differ for a documented reason
	// between libseccomp 2.5.4 and 2.6.1 (see exclusions.go).
	Excluded int
	// LibExportFailed is set when libseccomp could not export the filter
	// (for example, when its program is too long) and ours could.
	LibExportFailed bool
	// LibDefects counts probes on which the libseccomp program decided
	// differently from ours through a stale-accumulator comparison (see
	// staleCompares); Defect describes the first.
	LibDefects int
	Defect     string
	// Verdicts counts the verdict classes of the calls both libraries
	// agreed on.
	Verdicts map[string]int
	// Proof is our build's Built.Proof.
	Proof string
	// LibFailure is set when libseccomp hung or crashed on the rule set;
	// our build is then only checked for a valid program.
	LibFailure error
}

func (r *Report) addf(format string, args ...any) {
	if len(r.Mismatches) < 20 {
		r.Mismatches = append(r.Mismatches, fmt.Sprintf(format, args...))
	} else if len(r.Mismatches) == 20 {
		r.Mismatches = append(r.Mismatches, "... more mismatches left out")
	}
}

// Failed reports whether any mismatch was found.
func (r *Report) Failed() bool { return len(r.Mismatches) > 0 }

// Compare builds rs through libseccomp and through our package and
// compares the verdict of every call and the decision of every probe. run
// executes the programs; check, when not nil, also runs on the libseccomp
// program to cross-check run (their results must agree).
func Compare(rs *RuleSet, lib func(*RuleSet) (*Built, error), ours func(*RuleSet) *Built, run, check Runner) *Report {
	r := &Report{Calls: len(rs.Calls)}
	ob := ours(rs)
	lb, err := lib(rs)
	if err != nil {
		r.LibFailure = err
		r.checkProof(ob)
		if ob.Export == "ok" {
			if _, err := run(ob.Prog); err != nil {
				r.addf("our program for a rule set libseccomp fails on is rejected: %v", err)
			}
		}
		return r
	}
	CompareBuilt(rs, lb, ob, run, check, r)
	return r
}

// checkProof records ob's proof and adds a mismatch when our exported
// program is neither proven equal to its rules nor too complex to prove.
func (r *Report) checkProof(ob *Built) {
	r.Proof = ob.Proof
	if ob.Export == "ok" && ob.Proof != "ok" && ob.Proof != "too complex" {
		r.addf("our program is not proven equal to its rules: %s", ob.Proof)
	}
}

// InProcess adapts BuildLib to Compare, for rule sets known to be safe.
func InProcess(rs *RuleSet) (*Built, error) { return BuildLib(rs), nil }

// CompareBuilt compares two builds of rs, adding to r.
func CompareBuilt(rs *RuleSet, lb, ob *Built, run, check Runner, r *Report) {
	if lb.NewFilter != ob.NewFilter {
		r.addf("NewFilter(%v): libseccomp %s, ours %s", rs.Default, lb.NewFilter, ob.NewFilter)
		return
	}
	if lb.NewFilter != "ok" {
		return
	}
	if strings.Join(lb.Setup, ";") != strings.Join(ob.Setup, ";") {
		r.addf("arch setup %v: libseccomp %v, ours %v", rs.Arches, lb.Setup, ob.Setup)
	}
	for i := range rs.Calls {
		if i >= len(lb.Verdicts) || i >= len(ob.Verdicts) {
			r.addf("call %d: missing verdict", i)
			break
		}
		if lb.Verdicts[i] == ob.Verdicts[i] {
			if r.Verdicts == nil {
				r.Verdicts = map[string]int{}
			}
			v := lb.Verdicts[i]
			if strings.HasPrefix(v, "nr=") && strings.IndexByte(v, ' ') > 0 {
				v = v[strings.IndexByte(v, ' ')+1:]
			}
			if !strings.Contains(v, ":") && !strings.Contains(v, "-") {
				v = "ok" // a resolved number or a condition
			}
			r.Verdicts[string(rs.Calls[i].Kind)+" "+v]++
		} else {
			r.addf("call %d %v: libseccomp %q, ours %q", i, rs.Calls[i], lb.Verdicts[i], ob.Verdicts[i])
		}
	}
	if strings.Join(lb.Arches, ",") != strings.Join(ob.Arches, ",") {
		r.addf("arches after calls: libseccomp %v, ours %v", lb.Arches, ob.Arches)
		return
	}
	r.checkProof(ob)
	if lb.Export != "ok" || ob.Export != "ok" {
		if ob.Export != "ok" && lb.Export == "ok" {
			r.addf("export: libseccomp ok (%d insns), ours %s", len(lb.Prog)/8, ob.Export)
		}
		if lb.Export != "ok" && ob.Export == "ok" {
			r.LibExportFailed = true
		}
		return
	}
	CompareDecisions(rs, lb.Arches, lb.Prog, ob.Prog, run, check, nil, r)
}

// CompareDecisions compares the decisions of a libseccomp program and of
// ours for rule set rs, whose filter has the given architectures, on the
// probes of BuildProbes, adding to r. skip, when not nil, excludes probes
// for a reason the caller documents; they count as Excluded.
func CompareDecisions(rs *RuleSet, arches []string, libProg, oursProg []byte, run, check Runner, skip func(*Data) bool, r *Report) {
	lrun, err := run(libProg)
	if err != nil {
		r.addf("libseccomp program rejected: %v", err)
		return
	}
	orun, err := run(oursProg)
	if err != nil {
		r.addf("our program rejected: %v", err)
		return
	}
	var crun, corun Exec
	if check != nil {
		if crun, err = check(libProg); err != nil {
			r.addf("reference interpreter rejects the libseccomp program: %v", err)
			return
		}
		if corun, err = check(oursProg); err != nil {
			r.addf("reference interpreter rejects our program: %v", err)
			return
		}
	}
	ps := BuildProbes(rs, arches)
	ex := newExclusions(rs, arches)
	lp, _ := decode(libProg)
	tokens := map[uint32]bool{}
	for _, a := range arches {
		tokens[archInfos[a].token] = true
	}
	stale := staleCompares(lp, tokens)
	for i := range ps.Data {
		d := &ps.Data[i]
		lr, _, lerr := lrun(d)
		or, osteps, oerr := orun(d)
		r.Probes++
		if crun != nil {
			cr, _, cerr := crun(d)
			if (cerr != nil) != (lerr != nil) || cr != lr {
				r.addf("interpreters disagree on the libseccomp program for %s: %#x (%v) vs reference %#x (%v)",
					DescribeData(d), lr, lerr, cr, cerr)
			}
			cr, cs, cerr := corun(d)
			if (cerr != nil) != (oerr != nil) || cr != or || cs != osteps {
				r.addf("interpreters disagree on our program for %s: %#x in %d steps (%v) vs reference %#x in %d steps (%v)",
					DescribeData(d), or, osteps, oerr, cr, cs, cerr)
			}
		}
		if lerr != nil {
			r.addf("libseccomp program fails to run on %s: %v", DescribeData(d), lerr)
			continue
		}
		if oerr != nil {
			r.addf("our program fails to run on %s: %v", DescribeData(d), oerr)
			continue
		}
		if lr != or {
			if skip != nil && skip(d) {
				r.Excluded++
				continue
			}
			if pathHits(lp, d, stale) {
				r.LibDefects++
				if r.Defect == "" {
					r.Defect = fmt.Sprintf("%s: libseccomp %s, ours %s", DescribeData(d), RetString(lr), RetString(or))
				}
				continue
			}
			if why := ex.explain(d, lr, or); why != "" {
				r.Excluded++
				continue
			}
			r.addf("%s: libseccomp %s, ours %s", DescribeData(d), RetString(lr), RetString(or))
		}
	}
}

// DescribeData prints a probe compactly.
func DescribeData(d *Data) string {
	arch := fmt.Sprintf("%#x", d.Arch)
	for n, a := range archInfos {
		if a.token == d.Arch && (a.base != 0x40000000 || d.Nr >= 0x40000000) {
			if d.Arch == 0xc000003e && n == "x32" && d.Nr < 0x40000000 {
				continue
			}
			arch = n
			break
		}
	}
	s := fmt.Sprintf("%s nr=%d", arch, d.Nr)
	if d.Nr >= 0x40000000 {
		s = fmt.Sprintf("%s nr=%#x", arch, d.Nr)
	}
	if d.Args != ([6]uint64{}) {
		s += fmt.Sprintf(" args=%#x", d.Args)
	}
	return s
}

// RetString names a filter return value.
func RetString(r uint32) string {
	data := r & 0xffff
	switch r & 0xffff0000 {
	case 0x80000000:
		return "KILL_PROCESS"
	case 0x00000000:
		return "KILL_THREAD"
	case 0x00030000:
		return fmt.Sprintf("TRAP(%d)", data)
	case 0x00050000:
		return fmt.Sprintf("ERRNO(%d)", data)
	case 0x7fc00000:
		return "NOTIFY"
	case 0x7ff00000:
		return fmt.Sprintf("TRACE(%d)", data)
	case 0x7ffc0000:
		return "LOG"
	case 0x7fff0000:
		return "ALLOW"
	}
	return fmt.Sprintf("%#x", r)
}
