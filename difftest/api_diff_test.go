package difftest

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	ours "github.com/seccomp-go/seccomp"
	lib "github.com/seccomp/libseccomp-golang"
)

// apiLevelEnv, set in a child of TestAttrAPIVsLibseccompGolang, is the API
// level the child forces in both libraries (the level is process-wide).
const apiLevelEnv = "DIFFTEST_API_LEVEL"

// errText is an error's message, "<nil>" for none. libseccomp-golang
// names the linked libseccomp release in its version errors (2.5.4 here);
// that part is rewritten to the release the root package implements, so
// that the rest of the message is compared.
func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	lmaj, lmin, lmic := lib.GetLibraryVersion()
	omaj, omin, omic := ours.GetLibraryVersion()
	return strings.ReplaceAll(err.Error(),
		fmt.Sprintf("current version: %d.%d.%d", lmaj, lmin, lmic),
		fmt.Sprintf("current version: %d.%d.%d", omaj, omin, omic))
}

// actionValues are action values around every action and its data bits:
// each kind 0 to 9 alone, with return codes at the edges of int16, with
// bits above the data, and values that are no action at all.
func actionValues() []uint {
	var vs []uint
	for k := uint(0); k <= 9; k++ {
		for _, hi := range []uint{0, 1, 0x7fff, 0x8000, 0xffff, 1 << 32, 0xffff_0000_0000} {
			vs = append(vs, k|hi<<16)
		}
	}
	return append(vs, 0xffff, 0x10000, 0xfffe0004, 0xffffffff, ^uint(0))
}

// TestActionAPIVsLibseccompGolang compares String, GetReturnCode and
// SetReturnCode of every action value with libseccomp-golang's, and what
// NewFilter, GetDefaultAction, SetBadArchAction and GetBadArchAction make
// of them.
func TestActionAPIVsLibseccompGolang(t *testing.T) {
	codes := []int16{0, 1, -1, 13, 4095, 0x7fff, -0x8000}
	for _, v := range actionValues() {
		la, oa := lib.ScmpAction(v), ours.ScmpAction(v)
		if l, o := la.String(), oa.String(); l != o {
			t.Errorf("ScmpAction(%#x).String(): libseccomp-golang %q, ours %q", v, l, o)
		}
		if l, o := la.GetReturnCode(), oa.GetReturnCode(); l != o {
			t.Errorf("ScmpAction(%#x).GetReturnCode(): libseccomp-golang %d, ours %d", v, l, o)
		}
		for _, c := range codes {
			if l, o := uint(la.SetReturnCode(c)), uint(oa.SetReturnCode(c)); l != o {
				t.Errorf("ScmpAction(%#x).SetReturnCode(%d): libseccomp-golang %#x, ours %#x", v, c, l, o)
			}
		}

		lf, lerr := lib.NewFilter(la)
		of, oerr := ours.NewFilter(oa)
		if errText(lerr) != errText(oerr) {
			t.Errorf("NewFilter(%#x): libseccomp-golang %v, ours %v", v, lerr, oerr)
		}
		if lerr == nil && oerr == nil {
			ld, lerr := lf.GetDefaultAction()
			od, oerr := of.GetDefaultAction()
			if uint(ld) != uint(od) || errText(lerr) != errText(oerr) {
				t.Errorf("NewFilter(%#x).GetDefaultAction(): libseccomp-golang %#x, %v; ours %#x, %v", v, uint(ld), lerr, uint(od), oerr)
			}
		}
		if lf != nil {
			lf.Release()
		}
		if of != nil {
			of.Release()
		}

		lf, lerr = lib.NewFilter(lib.ActAllow)
		if lerr != nil {
			t.Fatal(lerr)
		}
		of, oerr = ours.NewFilter(ours.ActAllow)
		if oerr != nil {
			t.Fatal(oerr)
		}
		lerr, oerr = lf.SetBadArchAction(la), of.SetBadArchAction(oa)
		if errText(lerr) != errText(oerr) {
			t.Errorf("SetBadArchAction(%#x): libseccomp-golang %v, ours %v", v, lerr, oerr)
		}
		lb, lerr := lf.GetBadArchAction()
		ob, oerr := of.GetBadArchAction()
		if uint(lb) != uint(ob) || errText(lerr) != errText(oerr) {
			t.Errorf("GetBadArchAction after SetBadArchAction(%#x): libseccomp-golang %#x, %v; ours %#x, %v", v, uint(lb), lerr, uint(ob), oerr)
		}
		lf.Release()
		of.Release()
	}
}

// TestCompareOpAPIVsLibseccompGolang compares String of every operator
// value, and MakeCondition's results and errors for every operator,
// argument 0 to 7 and 0 to 3 values, with libseccomp-golang's.
func TestCompareOpAPIVsLibseccompGolang(t *testing.T) {
	ops := []uint{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xff, 1 << 32, ^uint(0)}
	for _, op := range ops {
		if l, o := lib.ScmpCompareOp(op).String(), ours.ScmpCompareOp(op).String(); l != o {
			t.Errorf("ScmpCompareOp(%#x).String(): libseccomp-golang %q, ours %q", op, l, o)
		}
	}
	values := []uint64{0xf0, 0x10, 0xffff_ffff_ffff_ffff}
	for _, op := range ops {
		for arg := uint(0); arg <= 7; arg++ {
			for n := 0; n <= len(values); n++ {
				lc, lerr := lib.MakeCondition(arg, lib.ScmpCompareOp(op), values[:n]...)
				oc, oerr := ours.MakeCondition(arg, ours.ScmpCompareOp(op), values[:n]...)
				l := fmt.Sprintf("{%d %#x %#x %#x} %s", lc.Argument, uint(lc.Op), lc.Operand1, lc.Operand2, errText(lerr))
				o := fmt.Sprintf("{%d %#x %#x %#x} %s", oc.Argument, uint(oc.Op), oc.Operand1, oc.Operand2, errText(oerr))
				if l != o {
					t.Errorf("MakeCondition(%d, %#x, %v): libseccomp-golang %s, ours %s", arg, op, values[:n], l, o)
				}
			}
		}
	}
}

// TestMergeVsLibseccompGolang compares Merge's errors, and the validity of
// both filters afterwards, with libseccomp-golang's, together with IsValid
// and TransactionReject on released filters. f.Merge(f) and nil filters
// are left out: there libseccomp-golang locks f twice and never returns,
// or panics (the root package's TestMerge and TestNilFilter check ours).
func TestMergeVsLibseccompGolang(t *testing.T) {
	// side is one library's pair of filters.
	type side struct {
		merge    func() error
		dstValid func() bool
		srcValid func() bool
		release  func()
	}
	build := func(t *testing.T, def ours.ScmpAction, arches []string, edit func(dst, src *ours.ScmpFilter, ldst, lsrc *lib.ScmpFilter)) (l, o side) {
		t.Helper()
		ldst, err := lib.NewFilter(lib.ScmpAction(ours.ActAllow))
		if err != nil {
			t.Fatal(err)
		}
		lsrc, err := lib.NewFilter(lib.ScmpAction(def))
		if err != nil {
			t.Fatal(err)
		}
		odst, err := ours.NewFilter(ours.ActAllow)
		if err != nil {
			t.Fatal(err)
		}
		osrc, err := ours.NewFilter(def)
		if err != nil {
			t.Fatal(err)
		}
		if len(arches) > 0 {
			must(t, lsrc.RemoveArch(lib.ArchNative), osrc.RemoveArch(ours.ArchNative))
		}
		for _, name := range arches {
			la, err := lib.GetArchFromString(name)
			if err != nil {
				t.Fatal(err)
			}
			oa, err := ours.GetArchFromString(name)
			if err != nil {
				t.Fatal(err)
			}
			must(t, lsrc.AddArch(la), osrc.AddArch(oa))
		}
		if edit != nil {
			edit(odst, osrc, ldst, lsrc)
		}
		l = side{
			merge:    func() error { return ldst.Merge(lsrc) },
			dstValid: ldst.IsValid,
			srcValid: lsrc.IsValid,
			release: func() {
				ldst.TransactionReject()
				lsrc.TransactionReject()
				ldst.Release()
				lsrc.Release()
			},
		}
		o = side{
			merge:    func() error { return odst.Merge(osrc) },
			dstValid: odst.IsValid,
			srcValid: osrc.IsValid,
			release: func() {
				odst.TransactionReject()
				osrc.TransactionReject()
				odst.Release()
				osrc.Release()
			},
		}
		return l, o
	}
	cases := []struct {
		name   string
		def    ours.ScmpAction
		arches []string
		edit   func(dst, src *ours.ScmpFilter, ldst, lsrc *lib.ScmpFilter)
	}{
		{name: "same architecture", def: ours.ActAllow},
		{name: "disjoint", def: ours.ActAllow, arches: []string{"x86"}},
		{name: "two architectures", def: ours.ActAllow, arches: []string{"x86", "x32"}},
		{name: "other default action", def: ours.ActKillProcess, arches: []string{"x86"}},
		{name: "other byte order", def: ours.ActAllow, arches: []string{"s390x"}},
		{name: "other NNP", def: ours.ActAllow, arches: []string{"x86"},
			edit: func(_, src *ours.ScmpFilter, _, lsrc *lib.ScmpFilter) {
				must(t, src.SetNoNewPrivsBit(false), lsrc.SetNoNewPrivsBit(false))
			}},
		{name: "other log bit", def: ours.ActAllow, arches: []string{"x86"},
			edit: func(_, src *ours.ScmpFilter, _, lsrc *lib.ScmpFilter) {
				must(t, src.SetLogBit(true), lsrc.SetLogBit(true))
			}},
		{name: "released source", def: ours.ActAllow, arches: []string{"x86"},
			edit: func(_, src *ours.ScmpFilter, _, lsrc *lib.ScmpFilter) {
				src.Release()
				lsrc.Release()
			}},
		{name: "released destination", def: ours.ActAllow, arches: []string{"x86"},
			edit: func(dst, _ *ours.ScmpFilter, ldst, _ *lib.ScmpFilter) {
				dst.Release()
				ldst.Release()
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, o := build(t, c.def, c.arches, c.edit)
			defer l.release()
			defer o.release()
			lerr, oerr := l.merge(), o.merge()
			if errText(lerr) != errText(oerr) {
				t.Errorf("Merge: libseccomp-golang %v, ours %v", lerr, oerr)
			}
			if l.dstValid() != o.dstValid() || l.srcValid() != o.srcValid() {
				t.Errorf("after Merge, valid (destination, source): libseccomp-golang %v %v, ours %v %v",
					l.dstValid(), l.srcValid(), o.dstValid(), o.srcValid())
			}
			// a second merge of the same filters
			lerr, oerr = l.merge(), o.merge()
			if errText(lerr) != errText(oerr) {
				t.Errorf("second Merge: libseccomp-golang %v, ours %v", lerr, oerr)
			}
		})
	}
}

// must fails t when either library's setup call fails.
func must(t *testing.T, errs ...error) {
	t.Helper()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestAttrAPIVsLibseccompGolang compares the attribute getters and setters
// with libseccomp-golang's at every API level libseccomp 2.5.4 has, on a
// new filter and on a released one; each level runs in a child process,
// since the level is process-wide. The WaitKill attribute is left out: it
// needs libseccomp 2.6.0, which libseccomp-golang refuses on 2.5.4.
func TestAttrAPIVsLibseccompGolang(t *testing.T) {
	if s := os.Getenv(apiLevelEnv); s != "" {
		level, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		compareAttrs(t, uint(level))
		return
	}
	for level := 1; level <= 6; level++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestAttrAPIVsLibseccompGolang$", "-test.count=1")
		cmd.Env = append(os.Environ(), apiLevelEnv+"="+strconv.Itoa(level))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("API level %d: %v\n%s", level, err, out)
		}
	}
}

// compareAttrs runs the attribute comparison at one API level.
func compareAttrs(t *testing.T, level uint) {
	if err := lib.SetAPI(level); err != nil {
		t.Fatalf("libseccomp-golang SetAPI(%d): %v", level, err)
	}
	if err := ours.SetAPI(level); err != nil {
		t.Fatalf("SetAPI(%d): %v", level, err)
	}
	// actions the level may refuse as default actions
	for _, a := range []ours.ScmpAction{ours.ActKillProcess, ours.ActLog, ours.ActNotify, ours.ActErrno.SetReturnCode(1)} {
		lf, lerr := lib.NewFilter(lib.ScmpAction(a))
		of, oerr := ours.NewFilter(a)
		if errText(lerr) != errText(oerr) {
			t.Errorf("level %d: NewFilter(%v): libseccomp-golang %v, ours %v", level, a, lerr, oerr)
		}
		if lf != nil {
			lf.Release()
		}
		if of != nil {
			of.Release()
		}
	}

	type attr struct {
		name string
		lget func(*lib.ScmpFilter) (string, error)
		oget func(*ours.ScmpFilter) (string, error)
		lset func(*lib.ScmpFilter, int) error
		oset func(*ours.ScmpFilter, int) error
		vals []int
	}
	str := func(v any, err error) (string, error) { return fmt.Sprint(v), err }
	bools := []int{1, 0}
	attrs := []attr{
		{"NoNewPrivsBit",
			func(f *lib.ScmpFilter) (string, error) { return str(f.GetNoNewPrivsBit()) },
			func(f *ours.ScmpFilter) (string, error) { return str(f.GetNoNewPrivsBit()) },
			func(f *lib.ScmpFilter, v int) error { return f.SetNoNewPrivsBit(v != 0) },
			func(f *ours.ScmpFilter, v int) error { return f.SetNoNewPrivsBit(v != 0) },
			bools},
		{"LogBit",
			func(f *lib.ScmpFilter) (string, error) { return str(f.GetLogBit()) },
			func(f *ours.ScmpFilter) (string, error) { return str(f.GetLogBit()) },
			func(f *lib.ScmpFilter, v int) error { return f.SetLogBit(v != 0) },
			func(f *ours.ScmpFilter, v int) error { return f.SetLogBit(v != 0) },
			bools},
		{"SSB",
			func(f *lib.ScmpFilter) (string, error) { return str(f.GetSSB()) },
			func(f *ours.ScmpFilter) (string, error) { return str(f.GetSSB()) },
			func(f *lib.ScmpFilter, v int) error { return f.SetSSB(v != 0) },
			func(f *ours.ScmpFilter, v int) error { return f.SetSSB(v != 0) },
			bools},
		{"RawRC",
			func(f *lib.ScmpFilter) (string, error) { return str(f.GetRawRC()) },
			func(f *ours.ScmpFilter) (string, error) { return str(f.GetRawRC()) },
			func(f *lib.ScmpFilter, v int) error { return f.SetRawRC(v != 0) },
			func(f *ours.ScmpFilter, v int) error { return f.SetRawRC(v != 0) },
			bools},
		{"Optimize",
			func(f *lib.ScmpFilter) (string, error) { return str(f.GetOptimize()) },
			func(f *ours.ScmpFilter) (string, error) { return str(f.GetOptimize()) },
			func(f *lib.ScmpFilter, v int) error { return f.SetOptimize(v) },
			func(f *ours.ScmpFilter, v int) error { return f.SetOptimize(v) },
			[]int{2, 0, 3, -1, 1}},
	}
	for _, released := range []bool{false, true} {
		lf, err := lib.NewFilter(lib.ActAllow)
		if err != nil {
			t.Fatal(err)
		}
		of, err := ours.NewFilter(ours.ActAllow)
		if err != nil {
			t.Fatal(err)
		}
		if released {
			lf.Release()
			of.Release()
		}
		for _, a := range attrs {
			get := func(when string) {
				lv, lerr := a.lget(lf)
				ov, oerr := a.oget(of)
				if lv != ov || errText(lerr) != errText(oerr) {
					t.Errorf("level %d, released %v: Get%s %s: libseccomp-golang %s, %v; ours %s, %v",
						level, released, a.name, when, lv, lerr, ov, oerr)
				}
			}
			get("at first")
			for _, v := range a.vals {
				lerr, oerr := a.lset(lf, v), a.oset(of, v)
				if errText(lerr) != errText(oerr) {
					t.Errorf("level %d, released %v: Set%s(%d): libseccomp-golang %v, ours %v",
						level, released, a.name, v, lerr, oerr)
				}
				get(fmt.Sprintf("after Set%s(%d)", a.name, v))
			}
		}
		for _, get := range []struct {
			name string
			l    func() (lib.ScmpAction, error)
			o    func() (ours.ScmpAction, error)
		}{
			{"GetDefaultAction", lf.GetDefaultAction, of.GetDefaultAction},
			{"GetBadArchAction", lf.GetBadArchAction, of.GetBadArchAction},
		} {
			la, lerr := get.l()
			oa, oerr := get.o()
			if uint(la) != uint(oa) || errText(lerr) != errText(oerr) {
				t.Errorf("level %d, released %v: %s: libseccomp-golang %#x, %v; ours %#x, %v",
					level, released, get.name, uint(la), lerr, uint(oa), oerr)
			}
		}
		if !released {
			lf.Release()
			of.Release()
		}
	}
}
