package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/oci"
)

var explainCommand = &command{
	name:    "explain",
	summary: "say which profile entry decides a syscall, and why",
	usage: `explain [--arch A] [--caps C] PROFILE|FILTER SYSCALL [ARG...]

Prints what a profile or filter does with one system call, and why.

For a profile: the entry that decides it (its index in the profile's
syscalls, names, action, errnoRet and argument conditions, with which of
them hold), or that no entry applies and the default action does; the
entries that name the syscall but do not match; and, for Docker and
Podman profiles, the entries that would match but are left out by their
includes or excludes for this architecture, capability set and kernel.
Where libseccomp's merging of the rules of one syscall decides between
entries, it says so. The decision printed is the compiled filter's, run
as "scmp sim" runs it; should the explanation disagree with it, the
filter's decision is printed and the explanation is marked incomplete.

For a raw BPF FILTER: the syscall's name, the instructions executed, as
"scmp sim -v" prints them, and the action returned.

PROFILE, FILTER, SYSCALL, ARG and A are as for "scmp sim". The exit status
is 0 whenever the call could be explained, whatever the decision.`,
	run: runExplain,
}

func runExplain(e *env, args []string) int {
	fs := newFlagSet(e)
	archName := fs.String("arch", "", "explain a call from architecture `A`")
	po := profileFlags(e, fs)
	pos, st := parse(e, fs, args, false)
	if st >= 0 {
		return st
	}
	if st := checkCall(e, pos); st >= 0 {
		return st
	}
	t, err := parseArchFlag(*archName)
	if err != nil {
		return e.usageErrorf("--arch: %v", err)
	}
	if err := po.check(); err != nil {
		return e.usageErrorf("%v", err)
	}
	data, err := readProfile(e, pos[0])
	if err != nil {
		return e.errorf("%v", err)
	}
	if !isJSON(data) {
		return explainFilter(e, pos[0], data, t, pos[1], pos[2:])
	}
	if t == nil {
		n, err := nativeTarget()
		if err != nil {
			return e.errorf("%v", err)
		}
		t = &n
	}
	x, err := newExplainer(data, *t, *po)
	if err != nil {
		return e.errorf("%s: %v", pos[0], explain(err))
	}
	d, st := callData(e, t.abi, pos[1], pos[2:])
	if st >= 0 {
		return st
	}
	r, err := x.explain(d)
	if err != nil {
		return e.errorf("%s cannot run: %v", pos[0], err)
	}
	r.write(e.stdout)
	return exitOK
}

// callData reads the syscall and its arguments, or returns the exit
// status of a usage error.
func callData(e *env, a *arch.Arch, sys string, args []string) (bpf.Data, int) {
	d := bpf.Data{Arch: a.Token}
	var err error
	if d.Nr, err = parseSyscall(a, sys); err != nil {
		return d, e.usageErrorf("%v", err)
	}
	for i, s := range args {
		if d.Args[i], err = parseNumber(s, a.Bits); err != nil {
			return d, e.usageErrorf("argument %d: %v", i, err)
		}
	}
	return d, -1
}

// explainFilter explains a call through a raw BPF filter: the
// instructions it executes.
func explainFilter(e *env, name string, data []byte, t *target, sys string, args []string) int {
	p, order, err := decodeProgram(e, name, data, t)
	if err != nil {
		return e.errorf("%v", err)
	}
	if t == nil {
		a, err := programArch(p)
		if err != nil {
			return e.errorf("%v", err)
		}
		t = &a
	}
	d, st := callData(e, t.abi, sys, args)
	if st >= 0 {
		return st
	}
	ret, steps, err := p.Run(d, order)
	if err != nil {
		return e.errorf("%s cannot run: %v", name, err)
	}
	fmt.Fprintf(e.stdout, "syscall: %s%s\n", callName(t.abi, d.Nr), argsText(d, len(args)))
	path := tracePath(p, d, order, ret, steps)
	if path == nil {
		e.warnf("the path through the filter could not be traced")
	} else {
		fmt.Fprintln(e.stdout, "path:")
		lines := strings.Split(p.DisassembleOrder(order), "\n")
		for _, pc := range path {
			fmt.Fprintln(e.stdout, lines[pc])
		}
	}
	fmt.Fprintf(e.stdout, "decision: %s, after %d %s\n", bpf.ActionString(ret), steps, plural(steps, "instruction"))
	return exitOK
}

// callName names syscall nr of a: "kill (x86_64 62)".
func callName(a *arch.Arch, nr int32) string {
	name, ok := a.SyscallName(nr)
	if !ok || nr < 0 {
		name = "a syscall with no name"
	}
	return fmt.Sprintf("%s (%s %d)", name, a.Name, nr)
}

// argsText lists the first n arguments of d.
func argsText(d bpf.Data, n int) string {
	if n == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(", args")
	for i := range n {
		fmt.Fprintf(&b, " %#x", d.Args[i])
	}
	return b.String()
}

// explainer answers, for one profile on one architecture, which entries
// decide a call. The filter is compiled once.
type explainer struct {
	t       target
	po      profileOptions
	prog    bpf.Program
	order   binary.ByteOrder
	file    *oci.Profile
	spec    *specs.LinuxSeccomp // resolved
	fileIdx []int               // the file's index of each entry of spec
	origins []oci.Origin
	def     seccomp.ScmpAction
	rules   []oci.Rule
	after   *arch.KernelVersion // --enosys-after
	arches  []target            // the filter's architectures
	badArch uint32              // its action for the others
	ignored map[[2]int]bool     // rules libseccomp ignores, by entry and name index
}

// ignoredRules returns the rules of spec that libseccomp's merging
// ignores on t, because an earlier rule for the syscall decides every
// call they match, as oci.NewFilter reports them. Entries that make
// several rules for one name are left out.
func ignoredRules(spec *specs.LinuxSeccomp, opts oci.Options, t target, rules []oci.Rule) (map[[2]int]bool, error) {
	count := map[[2]int]int{}
	for _, r := range rules {
		count[[2]int{r.Entry, r.NameIndex}]++
	}
	ignored := map[[2]int]bool{}
	archName := "SCMP_ARCH_" + strings.ToUpper(t.abi.Name)
	opts.ENOSYSAfter = ""
	opts.Warn = nil
	opts.OnWarning = func(w oci.Warning) {
		var key [2]int
		if w.Kind != oci.ShadowedRule {
			return
		}
		if _, err := fmt.Sscanf(w.Field, "syscalls[%d].names[%d]", &key[0], &key[1]); err != nil || count[key] != 1 {
			return
		}
		_, rest, ok := strings.Cut(w.Reason, " never applies")
		if !ok {
			return
		}
		if on, ok := strings.CutPrefix(rest, " on "); ok {
			list, _, _ := strings.Cut(on, ":")
			if !slices.Contains(strings.Split(list, ", "), archName) {
				return
			}
		} else if !strings.HasPrefix(rest, ":") {
			return
		}
		ignored[key] = true
	}
	f, err := oci.NewFilter(spec, opts)
	if err != nil {
		return nil, err
	}
	f.Release()
	return ignored, nil
}

// newExplainer compiles data for t as "scmp sim" does and works out
// where each entry of the resolved profile comes from.
func newExplainer(data []byte, t target, po profileOptions) (*explainer, error) {
	f, arches, spec, err := compileProfile(data, []target{t}, false, po)
	if err != nil {
		return nil, err
	}
	raw, err := f.ExportBPFMem()
	var badArch seccomp.ScmpAction
	if err == nil {
		badArch, err = f.GetBadArchAction()
	}
	f.Release()
	if err != nil {
		return nil, err
	}
	x := &explainer{t: t, po: po, order: t.abi.ByteOrder(), spec: spec, arches: arches, badArch: actionRet(badArch)}
	if x.prog, err = bpf.Unmarshal(raw, x.order); err != nil {
		return nil, err
	}
	if x.file, _, err = oci.ParseProfile(data); err != nil {
		return nil, err
	}
	// The profile was read once already: no second round of warnings.
	quiet := po
	quiet.stderr, quiet.strict, quiet.verbose = nil, false, false
	opts, _, err := quiet.options([]target{t})
	if err != nil {
		return nil, err
	}
	if x.origins, err = x.file.Origins(opts); err != nil {
		return nil, err
	}
	for _, o := range x.origins {
		if o.Resolved >= 0 {
			x.fileIdx = append(x.fileIdx, o.Index)
		}
	}
	if len(x.fileIdx) != len(spec.Syscalls) {
		return nil, fmt.Errorf("the resolved profile has %d entries, its origins %d", len(spec.Syscalls), len(x.fileIdx))
	}
	if x.def, x.rules, err = oci.Rules(spec); err != nil {
		return nil, err
	}
	if x.ignored, err = ignoredRules(spec, opts, t, x.rules); err != nil {
		return nil, err
	}
	if po.enosys != "" {
		v, err := arch.ParseKernelVersion(po.enosys)
		if err != nil {
			return nil, err
		}
		x.after = &v
	}
	return x, nil
}

// condResult is one argument condition of a rule and whether it held.
type condResult struct {
	cond  seccomp.ScmpCondition
	value uint64 // the argument's value, as compared
	holds bool
}

// ruleResult is one rule for the syscall explained.
type ruleResult struct {
	rule    oci.Rule
	entry   int    // index in the profile file
	text    string // the entry, described
	conds   []condResult
	match   bool
	ignored bool // libseccomp ignores the rule
}

// report is an explanation of one call.
type report struct {
	call     string // "mount (x86_64 165)"
	args     string
	ret      uint32       // the filter's decision
	decided  []ruleResult // the rules that decide, empty for the default
	why      []string     // what decided, when no rule did
	merging  []string     // how libseccomp's merging chose between rules
	failed   []ruleResult // rules that name the syscall and do not match
	asDef    []string     // entries naming the syscall with the default action
	leftOut  []string     // entries left out that would match
	leftHead string
	missing  string // set when the explanation disagrees with the filter
}

// call is the syscall being explained.
type call struct {
	abi  *arch.Arch
	d    bpf.Data
	name string // its name, or "syscall NR"
}

// is reports whether the syscall called name is c's.
func (c *call) is(name string) bool {
	nr, err := parseSyscall(c.abi, name)
	return err == nil && nr == c.d.Nr
}

// explain explains the call d.
func (x *explainer) explain(d bpf.Data) (*report, error) {
	ret, steps, err := x.prog.Run(d, x.order)
	if err != nil {
		return nil, err
	}
	// x86_64 and x32 share their token; the x32 bit of the number
	// tells them apart.
	c := &call{abi: x.t.abi, d: d}
	switch {
	case c.abi == arch.X86_64 && uint32(d.Nr)&x32Bit != 0:
		c.abi = arch.X32
	case c.abi == arch.X32 && uint32(d.Nr)&x32Bit == 0:
		c.abi = arch.X86_64
	}
	r := &report{call: callName(c.abi, d.Nr), ret: ret}
	if !slices.ContainsFunc(x.arches, func(t target) bool { return t.abi == c.abi }) {
		r.why = append(r.why, fmt.Sprintf("the filter does not cover %s: its bad-architecture action decides", c.abi.Name))
		if ret != x.badArch {
			r.missing = fmt.Sprintf("by the architectures the decision would be %s", bpf.ActionString(x.badArch))
		}
		return r, nil
	}
	for i := 5; i >= 0; i-- {
		if d.Args[i] != 0 {
			r.args = argsText(d, i+1)
			break
		}
	}
	name, ok := c.abi.SyscallName(d.Nr)
	if !ok || d.Nr < 0 {
		name = fmt.Sprintf("syscall %d", d.Nr)
	}
	c.name = name

	rules := x.rulesFor(c)
	predicted := x.decide(r, c, rules, steps)
	named := x.noRule(r, c)
	x.leftOutFor(r, c)
	if len(r.decided) == 0 && r.missing == "" {
		kept := slices.ContainsFunc(rules, func(rr ruleResult) bool { return rr.match && rr.ignored })
		predicted = x.byDefault(r, c, named, len(rules) > 0, kept)
	}
	if r.missing == "" && predicted != ret {
		r.missing = fmt.Sprintf("by the entries the decision would be %s", bpf.ActionString(predicted))
		if read := x.argsRead(d, ret, steps); read != "" && len(rules) > 1 {
			var whose []string
			for _, rr := range rules {
				if e := fmt.Sprintf("syscalls[%d]", rr.entry); actionRet(rr.rule.Action) == ret && !slices.Contains(whose, e) {
					whose = append(whose, e)
				}
			}
			from := "the default action"
			if len(whose) > 0 {
				from = "the action of " + strings.Join(whose, ", ")
			}
			r.missing += fmt.Sprintf(", but libseccomp merges the rules with conditions for %s into one tree, and it gives %s, %s%s", c.name, bpf.ActionString(ret), from, read)
		}
	}
	return r, nil
}

// rulesFor returns the rules for c's syscall, in the order they were
// added, with their conditions evaluated.
func (x *explainer) rulesFor(c *call) []ruleResult {
	var rules []ruleResult
	for _, rl := range x.rules {
		if !c.is(rl.Name) {
			continue
		}
		rr := ruleResult{rule: rl, entry: x.fileIdx[rl.Entry], match: true}
		for _, cond := range rl.Conditions {
			cr := evalCond(c.abi, cond, c.d)
			rr.conds = append(rr.conds, cr)
			rr.match = rr.match && cr.holds
		}
		rr.text = x.ruleText(rr)
		rr.ignored = x.ignored[[2]int{rl.Entry, rl.NameIndex}]
		rules = append(rules, rr)
	}
	return rules
}

// decide works out which of rules decide the call, as libseccomp merges
// them: the first rule without conditions decides every call of its
// syscall; otherwise the rules whose conditions hold do, and where
// their actions differ, the merged tree does, which only the filter
// tells. It fills in r's decided, merging and failed lines, and returns
// the decision the rules give (the default action's if none decides).
func (x *explainer) decide(r *report, c *call, rules []ruleResult, steps int) uint32 {
	predicted := actionRet(x.def)
	first := slices.IndexFunc(rules, func(rr ruleResult) bool { return unconditional(c.abi, rr.rule) })
	var matched []ruleResult
	var acts []uint32
	for _, rr := range rules {
		if !rr.match {
			continue
		}
		if rr.ignored && first < 0 {
			r.merging = append(r.merging, fmt.Sprintf("the conditions of syscalls[%d] (%s) hold, but libseccomp ignores its rule: an earlier rule for %s decides every call it matches", rr.entry, actionText(rr.rule.Action), c.name))
			continue
		}
		matched = append(matched, rr)
		if a := actionRet(rr.rule.Action); !slices.Contains(acts, a) {
			acts = append(acts, a)
		}
	}
	switch {
	case first >= 0:
		w := rules[first]
		predicted = actionRet(w.rule.Action)
		r.decided = []ruleResult{w}
		for i, rr := range rules {
			if i == first || actionRet(rr.rule.Action) == predicted {
				continue
			}
			switch {
			case unconditional(c.abi, rr.rule):
				r.merging = append(r.merging, fmt.Sprintf("syscalls[%d] (%s) also names %s without conditions; libseccomp keeps the first rule without conditions for a syscall, syscalls[%d]'s, and ignores the later one", rr.entry, actionText(rr.rule.Action), c.name, w.entry))
			case rr.match:
				r.merging = append(r.merging, fmt.Sprintf("syscalls[%d] (%s) matches too, with conditions; libseccomp drops the rules with conditions of a syscall that has a rule without, so syscalls[%d]'s %s wins", rr.entry, actionText(rr.rule.Action), w.entry, bpf.ActionString(predicted)))
			}
		}
	case len(acts) == 1:
		predicted = acts[0]
		r.decided = matched
	case len(acts) > 1:
		// The filter tells which won.
		var all []string
		for _, rr := range matched {
			all = append(all, fmt.Sprintf("syscalls[%d] (%s)", rr.entry, actionText(rr.rule.Action)))
			if actionRet(rr.rule.Action) == r.ret {
				r.decided = append(r.decided, rr)
			}
		}
		if len(r.decided) == 0 {
			r.missing = "several entries match with different actions, and the filter's decision is none of theirs"
			break
		}
		predicted = r.ret
		r.merging = append(r.merging, fmt.Sprintf("the conditions of %s all hold and their actions differ; libseccomp's merging of the rules for %s decides, and %s wins%s", strings.Join(all, ", "), c.name, bpf.ActionString(r.ret), x.argsRead(c.d, r.ret, steps)))
	}

	// An entry comparing one argument more than once makes a rule of
	// each comparison: any one of them that holds decides.
	decidedBy := map[int]bool{}
	for _, rr := range r.decided {
		decidedBy[rr.rule.Entry] = true
	}
	perEntry := map[int]int{}
	for _, rr := range rules {
		perEntry[rr.rule.Entry]++
		if perEntry[rr.rule.Entry] == 2 {
			r.merging = append(r.merging, fmt.Sprintf("syscalls[%d] compares one argument more than once; runc makes a rule of each comparison, so that any one of them that holds decides", rr.entry))
		}
		if !rr.match && !decidedBy[rr.rule.Entry] {
			r.failed = append(r.failed, rr)
		}
	}
	r.merging = dedupe(r.merging)
	return predicted
}

// dedupe removes repeated lines, keeping the first of each.
func dedupe(lines []string) []string {
	var out []string
	for _, l := range lines {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// unconditional reports whether rl tests no argument in the filter: it
// has no conditions, or only masked comparisons with a mask of zero (in
// the argument's width), which libseccomp leaves out as always true.
func unconditional(abi *arch.Arch, rl oci.Rule) bool {
	for _, c := range rl.Conditions {
		mask := c.Operand1
		if abi.Bits == 32 {
			mask = uint64(uint32(mask))
		}
		if c.Op != seccomp.CompareMaskedEqual || mask != 0 {
			return false
		}
	}
	return true
}

// noRule lists in r the entries for c's syscall that make no rule, as
// their action is the default action, and reports whether any entry of
// the resolved profile names the syscall.
func (x *explainer) noRule(r *report, c *call) (named bool) {
	for k, s := range x.spec.Syscalls {
		if !slices.ContainsFunc(s.Names, c.is) {
			continue
		}
		named = true
		if act, err := specAction(s.Action, s.ErrnoRet); err == nil && actionRet(act) == actionRet(x.def) {
			r.asDef = append(r.asDef, fmt.Sprintf("syscalls[%d] %s: the default action, so runc adds no rule for it", x.fileIdx[k], entryText(s.Names, c.name, s.Action, s.ErrnoRet, x.file.Syscalls[x.fileIdx[k]].Errno)))
		}
	}
	return named
}

// leftOutFor lists in r the entries for c's syscall that includes or
// excludes left out, and whose conditions hold.
func (x *explainer) leftOutFor(r *report, c *call) {
	for _, o := range x.origins {
		if o.Resolved >= 0 {
			continue
		}
		s := x.file.Syscalls[o.Index]
		names := s.Names
		if s.Name != "" {
			names = []string{s.Name}
		}
		if !slices.ContainsFunc(names, c.is) || !argsHold(c.abi, s.Args, c.d) {
			continue
		}
		r.leftOut = append(r.leftOut, fmt.Sprintf("syscalls[%d] %s, left out: %s", o.Index, entryText(names, c.name, s.Action, s.ErrnoRet, s.Errno), strings.Join(o.LeftOut, "; ")))
	}
	if len(r.leftOut) > 0 {
		kernel := "the running kernel"
		if x.po.kernel != "" {
			kernel = "kernel " + x.po.kernel
		}
		r.leftHead = fmt.Sprintf("left out by includes/excludes for %s, capabilities %s and %s; they would match:", c.abi.Name, x.po.caps, kernel)
	}
}

// byDefault says in r why a call no rule decides gets its decision, and
// returns it: the default action's, or ENOSYS for --enosys-after.
// hasRules tells whether the syscall has rules, ignoredMatch whether
// the conditions of one that libseccomp ignores hold.
func (x *explainer) byDefault(r *report, c *call, named, hasRules, ignoredMatch bool) uint32 {
	if x.enosysAfter(c.abi, c.name, named) {
		r.why = append(r.why, fmt.Sprintf("%s is newer than Linux %s (since %s) and no entry names it: --enosys-after makes it fail with ENOSYS", c.name, x.after, x.since(c.abi, c.name)))
		return bpf.RetErrno | uint32(enosysErrno(c.abi))
	}
	def := fmt.Sprintf("the default action decides: %s", x.spec.DefaultAction)
	if x.spec.DefaultErrnoRet != nil {
		def += fmt.Sprintf(", defaultErrnoRet %d", *x.spec.DefaultErrnoRet)
	}
	if x.file.DefaultErrno != "" {
		def += fmt.Sprintf(" (defaultErrno %s)", x.file.DefaultErrno)
	}
	switch {
	case ignoredMatch:
		r.why = append(r.why, "no rule that libseccomp keeps matches; "+def)
	case hasRules:
		r.why = append(r.why, "the conditions of no entry hold; "+def)
	default:
		r.why = append(r.why, fmt.Sprintf("no entry applies to %s; %s", c.name, def))
	}
	return actionRet(x.def)
}

// argsRead says which arguments the filter reads on its way to ret for
// d, in order, or "" when the path cannot be traced.
func (x *explainer) argsRead(d bpf.Data, ret uint32, steps int) string {
	path := tracePath(x.prog, d, x.order, ret, steps)
	if path == nil {
		return ""
	}
	var read []string
	for _, pc := range path {
		ins := x.prog[pc]
		if ins.Op != bpf.LD|bpf.W|bpf.ABS || ins.K < bpf.OffsetArgs {
			continue
		}
		arg := fmt.Sprintf("args[%d]", (ins.K-bpf.OffsetArgs)/8)
		if !slices.Contains(read, arg) {
			read = append(read, arg)
		}
	}
	if len(read) == 0 {
		return ""
	}
	return fmt.Sprintf(": the filter reads %s on its way there", strings.Join(read, ", then "))
}

// enosysAfter reports whether --enosys-after makes name fail with
// ENOSYS, as oci does: a syscall newer than the release, which the
// profile does not name and the architecture does not multiplex.
func (x *explainer) enosysAfter(abi *arch.Arch, name string, named bool) bool {
	if x.after == nil || named {
		return false
	}
	since, ok := abi.SyscallSince(name)
	if !ok || since.Compare(*x.after) <= 0 {
		return false
	}
	if abi.Multiplexes && slices.ContainsFunc(arch.MuxCalls(), func(m arch.MuxCall) bool { return m.Name == name }) {
		return false
	}
	return true
}

// since returns the Linux release that added name on abi.
func (x *explainer) since(abi *arch.Arch, name string) string {
	v, _ := abi.SyscallSince(name)
	return v.String()
}

// x32Bit is __X32_SYSCALL_BIT, set in the numbers of x32 syscalls.
const x32Bit = 0x40000000

// enosysErrno is ENOSYS on a.
func enosysErrno(a *arch.Arch) uint16 {
	switch {
	case strings.HasPrefix(a.Name, "mips"):
		return 89
	case strings.HasPrefix(a.Name, "parisc"):
		return 251
	}
	return 38
}

// evalCond evaluates one condition on d as libseccomp's filter does:
// on the 64-bit argument, or its low 32 bits on a 32-bit architecture.
func evalCond(abi *arch.Arch, c seccomp.ScmpCondition, d bpf.Data) condResult {
	v, a, b := d.Args[c.Argument], c.Operand1, c.Operand2
	if abi.Bits == 32 {
		v, a, b = uint64(uint32(v)), uint64(uint32(a)), uint64(uint32(b))
	}
	c.Operand1, c.Operand2 = a, b
	var h bool
	switch c.Op {
	case seccomp.CompareNotEqual:
		h = v != a
	case seccomp.CompareLess:
		h = v < a
	case seccomp.CompareLessOrEqual:
		h = v <= a
	case seccomp.CompareEqual:
		h = v == a
	case seccomp.CompareGreaterEqual:
		h = v >= a
	case seccomp.CompareGreater:
		h = v > a
	case seccomp.CompareMaskedEqual:
		// libseccomp masks the value compared with too.
		h = v&a == b&a
	}
	return condResult{cond: c, value: v, holds: h}
}

// specOp maps runtime-spec's operators to libseccomp's, for entries that
// are left out and so have no rules; CompareInvalid for an unknown one.
func specOp(op specs.LinuxSeccompOperator) seccomp.ScmpCompareOp {
	switch op {
	case specs.OpNotEqual:
		return seccomp.CompareNotEqual
	case specs.OpLessThan:
		return seccomp.CompareLess
	case specs.OpLessEqual:
		return seccomp.CompareLessOrEqual
	case specs.OpEqualTo:
		return seccomp.CompareEqual
	case specs.OpGreaterEqual:
		return seccomp.CompareGreaterEqual
	case specs.OpGreaterThan:
		return seccomp.CompareGreater
	case specs.OpMaskedEqual:
		return seccomp.CompareMaskedEqual
	}
	return seccomp.CompareInvalid
}

// argsHold reports whether the args of an entry hold for d, as runc
// combines them: all of them, or, when one argument is compared more
// than once, any one.
func argsHold(abi *arch.Arch, args []specs.LinuxSeccompArg, d bpf.Data) bool {
	var count [6]int
	repeated := false
	for _, a := range args {
		if a.Index < 6 {
			count[a.Index]++
			repeated = repeated || count[a.Index] > 1
		}
	}
	any, all := false, true
	for _, a := range args {
		if a.Index > 5 {
			return false
		}
		h := evalCond(abi, seccomp.ScmpCondition{Argument: a.Index, Op: specOp(a.Op), Operand1: a.Value, Operand2: a.ValueTwo}, d).holds
		any, all = any || h, all && h
	}
	if repeated {
		return any
	}
	return all
}

// specAction resolves an entry's action as oci does.
func specAction(a specs.LinuxSeccompAction, ret *uint) (seccomp.ScmpAction, error) {
	def, _, err := oci.Rules(&specs.LinuxSeccomp{DefaultAction: a, DefaultErrnoRet: ret})
	return def, err
}

// actionRet returns the filter return value of a rule's action, which
// oci has resolved and so is valid.
func actionRet(a seccomp.ScmpAction) uint32 {
	v, _ := a.FilterValue()
	return v
}

// actionText writes a rule's action as the filter returns it.
func actionText(a seccomp.ScmpAction) string { return bpf.ActionString(actionRet(a)) }

// maxNames is the number of an entry's names shown, maxLeftOut that of
// the entries left out.
const (
	maxNames   = 6
	maxLeftOut = 20
)

// entryText describes an entry: its action, errnoRet and names, with
// the position of the syscall explained among them.
func entryText(names []string, name string, act specs.LinuxSeccompAction, ret *uint, errno string) string {
	var b strings.Builder
	b.WriteString(string(act))
	if ret != nil {
		fmt.Fprintf(&b, " errnoRet %d", *ret)
	}
	if errno != "" {
		fmt.Fprintf(&b, " errno %s", errno)
	}
	b.WriteString(", names ")
	if len(names) <= maxNames {
		b.WriteString(strings.Join(names, " "))
	} else {
		fmt.Fprintf(&b, "%s ... (%d names", strings.Join(names[:maxNames], " "), len(names))
		if i := slices.Index(names, name); i >= maxNames {
			fmt.Fprintf(&b, "; names[%d] is %s", i, name)
		}
		b.WriteString(")")
	}
	return b.String()
}

// condText writes a condition as a comparison.
func condText(c seccomp.ScmpCondition) string {
	arg := fmt.Sprintf("args[%d]", c.Argument)
	op := map[seccomp.ScmpCompareOp]string{
		seccomp.CompareNotEqual:     "!=",
		seccomp.CompareLess:         "<",
		seccomp.CompareLessOrEqual:  "<=",
		seccomp.CompareEqual:        "==",
		seccomp.CompareGreaterEqual: ">=",
		seccomp.CompareGreater:      ">",
	}[c.Op]
	if c.Op == seccomp.CompareMaskedEqual {
		t := fmt.Sprintf("%s & %#x == %#x", arg, c.Operand1, c.Operand2)
		if c.Operand2&^c.Operand1 != 0 {
			t += fmt.Sprintf(" (libseccomp compares with %#x & %#x, %#x)", c.Operand2, c.Operand1, c.Operand2&c.Operand1)
		}
		return t
	}
	return fmt.Sprintf("%s %s %#x", arg, op, c.Operand1)
}

// ruleText describes the entry of a rule.
func (x *explainer) ruleText(rr ruleResult) string {
	s := x.spec.Syscalls[rr.rule.Entry]
	return fmt.Sprintf("syscalls[%d] %s", rr.entry, entryText(s.Names, rr.rule.Name, s.Action, s.ErrnoRet, x.file.Syscalls[rr.entry].Errno))
}

// write prints r.
func (r *report) write(w io.Writer) {
	fmt.Fprintf(w, "syscall: %s%s\n", r.call, r.args)
	fmt.Fprintf(w, "decision: %s\n", bpf.ActionString(r.ret))
	for _, rr := range r.decided {
		fmt.Fprintf(w, "decided by %s\n", rr.text)
		writeConds(w, rr.conds)
	}
	for _, s := range r.why {
		fmt.Fprintf(w, "why: %s\n", s)
	}
	for _, s := range r.merging {
		fmt.Fprintf(w, "merging: %s\n", s)
	}
	if len(r.failed) > 0 {
		fmt.Fprintln(w, "not matched:")
		for _, rr := range r.failed {
			fmt.Fprintf(w, "  %s\n", rr.text)
			writeConds(w, rr.conds)
		}
	}
	for _, s := range r.asDef {
		fmt.Fprintf(w, "no rule: %s\n", s)
	}
	if len(r.leftOut) > 0 {
		fmt.Fprintln(w, r.leftHead)
		for i, s := range r.leftOut {
			if i == maxLeftOut {
				fmt.Fprintf(w, "  and %d more\n", len(r.leftOut)-i)
				break
			}
			fmt.Fprintf(w, "  %s\n", s)
		}
	}
	if r.missing != "" {
		fmt.Fprintf(w, "the explanation is incomplete: %s; the compiled filter decides %s\n", r.missing, bpf.ActionString(r.ret))
	}
}

// writeConds prints the conditions of a rule and whether they held.
func writeConds(w io.Writer, conds []condResult) {
	for _, c := range conds {
		verdict := "holds"
		if !c.holds {
			verdict = "fails"
		}
		fmt.Fprintf(w, "    %s: %s (args[%d] is %#x)\n", condText(c.cond), verdict, c.cond.Argument, c.value)
	}
}
