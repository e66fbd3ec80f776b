package seccomp

import (
	"errors"
	"fmt"
	"sync"
	"syscall"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/db"
	"github.com/seccomp-go/seccomp/internal/kernel"
)

// ScmpFilter is a filter under construction. A new filter has the native
// architecture and no rules; rules, architectures and attributes are
// added to it, and it is then exported as BPF or loaded into the kernel.
// The methods are safe for concurrent use.
//
// A nil *ScmpFilter behaves as a released filter: every method that has
// an error result returns an error (with zero values for the other
// results, and -1 for GetNotifFd's descriptor), and the others do
// nothing (IsValid reports false).
//
// ScmpFilter values are comparable, as libseccomp-golang's are: a filter
// equals itself until Release or Merge invalidates it, and two filters
// from separate NewFilter calls never compare equal, whatever their rules.
type ScmpFilter struct {
	lock  sync.Mutex
	valid bool
	col   *db.Collection

	// compiled is allocated with the filter and updated in place, so
	// that compiling leaves the filter's value, and so its equality,
	// unchanged. It is a pointer because a slice would make ScmpFilter
	// incomparable.
	compiled *compiledProgram
	// weights holds the syscall weights (weights.go); like compiled, it
	// is allocated with the filter and changed in place.
	weights *weightTable
}

// compiledProgram caches a filter's compiled program.
type compiledProgram struct {
	prog bpf.Program // nil until the first compile and after Release
	gen  uint64      // the collection generation prog is for
}

// newScmpFilter returns a valid filter over col.
func newScmpFilter(col *db.Collection) *ScmpFilter {
	return &ScmpFilter{col: col, valid: true, compiled: new(compiledProgram), weights: new(weightTable)}
}

// kernelSupport answers the collection's questions about kernel features
// from the probes (or the level forced with SetAPI), as libseccomp does.
type kernelSupport struct{}

func (kernelSupport) ActionSupported(a db.Action) bool {
	return kernel.ActionSupported(uint32(a))
}

func (kernelSupport) FlagSupported(flag uint) bool {
	ok, _ := kernel.FlagSupported(flag)
	return ok
}

// NewFilter returns a filter whose default action, for syscalls that no
// rule matches, is defaultAction. The filter has the native architecture,
// the NO_NEW_PRIVS attribute set and, when the kernel offers it, the TSYNC
// attribute set, so that loading it filters every thread of the process.
func NewFilter(defaultAction ScmpAction) (*ScmpFilter, error) {
	if err := sanitizeAction(defaultAction); err != nil {
		return nil, err
	}
	// seccomp_init detects the API level before the rule database
	// checks the action against it
	apiLevel()
	col, err := db.New(defaultAction.toNative(), arch.Native(), kernelSupport{})
	if err != nil {
		return nil, errors.New("could not create filter")
	}
	f := newScmpFilter(col)
	// With TSYNC every goroutine's thread gets the filter; a kernel
	// without it (ENOTSUP) still gets a filter, for the calling thread.
	switch err := f.setFilterAttr(db.AttrTSync, 1); err {
	case nil, syscall.ENOTSUP:
		return f, nil
	default:
		f.Release()
		return nil, fmt.Errorf("could not create filter: error setting tsync bit: %w", err)
	}
}

// IsValid reports whether the filter can be used: Release and Merge (for
// the source filter) make it invalid, and a nil filter is never valid.
func (f *ScmpFilter) IsValid() bool {
	return f.withValid(func() error { return nil }) == nil
}

// Reset removes every rule, architecture and attribute setting of the
// filter, leaving the native architecture and defaultAction as the new
// default action. Unlike NewFilter it does not set TSYNC.
func (f *ScmpFilter) Reset(defaultAction ScmpAction) error {
	if f == nil {
		return errBadFilter
	}
	f.lock.Lock()
	defer f.lock.Unlock()

	if err := sanitizeAction(defaultAction); err != nil {
		return err
	} else if !f.valid {
		return errBadFilter
	}
	if err := f.col.Reset(defaultAction.toNative()); err != nil {
		return errRc(err)
	}
	f.weights.reset()
	f.compiled.prog = nil
	return nil
}

// Release frees the filter; it can't be used afterwards. Releasing a
// released or nil filter does nothing. Its memory goes
// to the next filter the process builds, so a program that builds many
// filters should release each once its program is exported or loaded.
func (f *ScmpFilter) Release() {
	if f == nil {
		return
	}
	f.lock.Lock()
	defer f.lock.Unlock()
	if !f.valid {
		return
	}
	f.valid = false
	f.col.Release()
	f.compiled.prog = nil
}

// Merge moves the architectures of src, with their rules, into f, and
// releases src. The filters must not share an architecture, and their
// default actions, NO_NEW_PRIVS and TSYNC attributes must be equal;
// their architectures must have the same byte order.
func (f *ScmpFilter) Merge(src *ScmpFilter) error {
	if f == nil || src == nil {
		return errMergeInvalid()
	}
	f.lock.Lock()
	defer f.lock.Unlock()
	if src == f {
		return f.mergeLocked(src)
	}
	src.lock.Lock()
	defer src.lock.Unlock()
	return f.mergeLocked(src)
}

// errMergeInvalid is Merge's error for a nil or released filter, a new
// value on each call.
func errMergeInvalid() error {
	return errors.New("one or more of the filter contexts is invalid or uninitialized")
}

// mergeLocked moves src into f; both locks are held (one lock when src is
// f).
func (f *ScmpFilter) mergeLocked(src *ScmpFilter) error {
	if !f.valid || !src.valid {
		return errMergeInvalid()
	}
	if err := f.col.Merge(src.col); err != nil {
		return mergeError(errRc(err))
	}
	if src != f {
		f.weights.merge(src.weights)
	}
	src.valid = false
	return nil
}

// mergeError describes EINVAL, a mismatch of attributes; other errors,
// such as EEXIST for a shared architecture or EDOM for another byte
// order, are returned as they are.
func mergeError(e error) error {
	if e != syscall.EINVAL {
		return e
	}
	return fmt.Errorf("filters could not be merged due to a mismatch in attributes or invalid filter: %w", e)
}

// IsArchPresent reports whether the architecture is in the filter.
func (f *ScmpFilter) IsArchPresent(arch ScmpArch) (bool, error) {
	if f == nil {
		return false, errBadFilter
	}
	f.lock.Lock()
	defer f.lock.Unlock()

	abi, err := arch.toArch()
	if err != nil {
		return false, err
	} else if !f.valid {
		return false, errBadFilter
	}
	return f.col.HasArch(abi), nil
}

// AddArch adds an architecture to the filter, without rules: rules added
// before are not copied to it. Adding a present architecture does
// nothing. An architecture whose byte order differs from the ones in the
// filter gives syscall.EDOM.
func (f *ScmpFilter) AddArch(arch ScmpArch) error {
	return f.editArches(arch, (*db.Collection).AddArch)
}

// RemoveArch removes an architecture, with its rules, from the filter.
// Removing an absent architecture does nothing. A filter left without
// architectures refuses rules, attributes and export with syscall.EINVAL
// until one is added.
func (f *ScmpFilter) RemoveArch(arch ScmpArch) error {
	return f.editArches(arch, (*db.Collection).RemoveArch)
}

// editArches applies AddArch or RemoveArch of the rule database to a;
// EEXIST, for an architecture already present or absent, is not an
// error.
func (f *ScmpFilter) editArches(a ScmpArch, edit func(*db.Collection, *arch.Arch) error) error {
	if f == nil {
		return errBadFilter
	}
	f.lock.Lock()
	defer f.lock.Unlock()

	abi, err := a.toArch()
	if err != nil {
		return err
	} else if !f.valid {
		return errBadFilter
	}
	if err := edit(f.col, abi); err != nil && err != syscall.EEXIST {
		return errRc(err)
	}
	return nil
}

// SetSyscallPriority gives a hint about how often the syscall is made:
// higher values are made more often. The decisions of the filter do not
// depend on it. Weights (SetSyscallWeights) replace priorities in the
// layout of the architectures that have them.
func (f *ScmpFilter) SetSyscallPriority(call ScmpSyscall, priority uint8) error {
	if f == nil {
		return errBadFilter
	}
	f.lock.Lock()
	defer f.lock.Unlock()

	if !f.valid {
		return errBadFilter
	}
	if err := f.col.SetPriority(int32(call), priority); err != nil {
		return errRc(err)
	}
	return nil
}

// AddRule adds a rule that applies action to every call of the syscall,
// a number in the native architecture's namespace, on every architecture
// of the filter. Socket and IPC syscalls are also matched through
// socketcall(2) and ipc(2) on the architectures that multiplex them.
//
// The action must be one of the Act* constants, with a return code only
// for ActErrno and ActTrace, as NewFilter requires; AddRule and the other
// Add* methods refuse any other value (libseccomp-golang adds the rule
// with SECCOMP_RET_KILL_THREAD instead).
func (f *ScmpFilter) AddRule(call ScmpSyscall, action ScmpAction) error {
	return f.addRuleGeneric(call, action, false, nil)
}

// AddRuleExact is AddRule without any rewriting: it fails when the filter
// has more than one architecture (syscall.EOPNOTSUPP) or the architecture
// lacks the syscall (syscall.EDOM).
func (f *ScmpFilter) AddRuleExact(call ScmpSyscall, action ScmpAction) error {
	return f.addRuleGeneric(call, action, true, nil)
}

// AddRuleConditional adds a rule that applies action to calls of the
// syscall whose arguments meet every condition.
//
// Rules combine as in libseccomp: for one syscall, a rule without
// conditions replaces the conditional ones and makes later rules for the
// syscall have no effect; a rule whose conditions extend those of an
// existing rule has no effect; a rule with the same conditions as an
// existing one but another action fails with syscall.EEXIST; when rules
// with different actions overlap, the conditions on the higher-numbered
// argument are tested first, whatever the order the rules were added in. [ScmpFilter.SetRuleWarning] reports the rules
// that have no effect.
func (f *ScmpFilter) AddRuleConditional(call ScmpSyscall, action ScmpAction, conds []ScmpCondition) error {
	return f.addRuleGeneric(call, action, false, conds)
}

// AddRuleConditionalExact is AddRuleConditional without any rewriting; see
// AddRuleExact. Conditions on a multiplexed socket or IPC syscall give
// syscall.EINVAL.
func (f *ScmpFilter) AddRuleConditionalExact(call ScmpSyscall, action ScmpAction, conds []ScmpCondition) error {
	return f.addRuleGeneric(call, action, true, conds)
}

func (f *ScmpFilter) addRuleGeneric(call ScmpSyscall, action ScmpAction, exact bool, conds []ScmpCondition) error {
	if f == nil {
		return errBadFilter
	}
	// libseccomp-golang passes an undefined action on as
	// SECCOMP_RET_KILL_THREAD; we refuse it as NewFilter does.
	if err := sanitizeAction(action); err != nil {
		return err
	}
	f.lock.Lock()
	defer f.lock.Unlock()

	if !f.valid {
		return errBadFilter
	}
	var dc []db.Cond
	if len(conds) > 0 {
		dc = make([]db.Cond, len(conds))
	}
	for i, c := range conds {
		dc[i] = db.Cond{
			Arg: uint32(c.Argument),
			Op:  c.Op.toNative(),
			A:   c.Operand1,
			B:   c.Operand2,
		}
	}
	err := f.col.AddRule(action.toNative(), int32(call), exact, dc)
	if err == nil {
		return nil
	}
	if errors.Is(err, db.ErrIgnored) {
		return ErrRuleIgnored
	}
	switch e := errRc(err); e {
	case syscall.EFAULT:
		return fmt.Errorf("unrecognized syscall %#x", int32(call))
	case syscall.EPERM, syscall.EACCES:
		return errDefAction
	case syscall.EINVAL:
		return errors.New("two checks on same syscall argument")
	default:
		return e
	}
}

// RuleWarningKind tells how a rule failed to take effect as written.
type RuleWarningKind int

// Kinds of rule warnings.
const (
	// RuleIgnored: the rule changed nothing, because existing rules
	// already decide the syscall, or the argument values it covers,
	// possibly with another action. libseccomp accepts such rules
	// silently.
	RuleIgnored RuleWarningKind = iota + 1
	// RuleReplacedConditional: the rule has no conditions, and the
	// conditional rules the syscall had were dropped.
	RuleReplacedConditional
	// RuleSkipped: the architecture has no such syscall, so the rule
	// was not added for it.
	RuleSkipped
)

// String describes the kind.
func (k RuleWarningKind) String() string {
	switch k {
	case RuleIgnored:
		return "rule has no effect: existing rules already decide it"
	case RuleReplacedConditional:
		return "rule replaced the syscall's conditional rules"
	case RuleSkipped:
		return "syscall does not exist on the architecture; rule skipped"
	}
	return fmt.Sprintf("unknown rule warning %d", int(k))
}

// RuleWarning describes a rule that was accepted but does not take effect
// as written on one architecture of the filter.
type RuleWarning struct {
	Kind RuleWarningKind
	// Arch is the architecture concerned.
	Arch ScmpArch
	// Syscall is the rule's syscall, as passed to AddRule (native
	// namespace).
	Syscall ScmpSyscall
	// ArchSyscall is the syscall number on Arch the warning is about;
	// for a multiplexed socket or IPC call it may be socketcall(2) or
	// ipc(2).
	ArchSyscall ScmpSyscall
	Action      ScmpAction
	Conditions  []ScmpCondition
}

// String describes the warning.
func (w RuleWarning) String() string {
	return fmt.Sprintf("%v: syscall %d (%d on %v), %v", w.Kind, w.Syscall, w.ArchSyscall, w.Arch, w.Action)
}

// SetRuleWarning sets a function that the Add* methods call, before they
// return, for each architecture on which a rule they accepted does not
// take effect as written (see [RuleWarningKind]). libseccomp accepts
// such rules silently; this hook makes them visible. A nil fn removes the
// hook. fn must not call methods of f. On a nil filter it does nothing.
func (f *ScmpFilter) SetRuleWarning(fn func(RuleWarning)) {
	if f == nil {
		return
	}
	f.lock.Lock()
	defer f.lock.Unlock()
	f.applyWarn(fn)
}

// SetStrictRules makes the Add* methods refuse, with [ErrRuleIgnored], a
// rule that would have no effect on one of the filter's architectures
// because existing rules already decide what it covers there; the filter
// is left unchanged. libseccomp accepts such rules silently, which is
// the default. On a nil filter it does nothing.
func (f *ScmpFilter) SetStrictRules(strict bool) {
	if f == nil {
		return
	}
	f.lock.Lock()
	defer f.lock.Unlock()
	if f.col != nil {
		f.col.Strict = strict
	}
}

// applyWarn connects the warning hook fn to the collection; f.lock must
// be held.
func (f *ScmpFilter) applyWarn(fn func(RuleWarning)) {
	if f.col == nil {
		return
	}
	if fn == nil {
		f.col.Warn = nil
		return
	}
	f.col.Warn = func(w db.Warning) {
		rw := RuleWarning{
			Arch:        fromArch(w.Arch),
			Syscall:     ScmpSyscall(w.Syscall),
			ArchSyscall: ScmpSyscall(w.Num),
		}
		switch w.Kind {
		case db.WarnIgnored:
			rw.Kind = RuleIgnored
		case db.WarnReplaced:
			rw.Kind = RuleReplacedConditional
		case db.WarnSkipped:
			rw.Kind = RuleSkipped
		}
		rw.Action, _ = actionFromNative(w.Action)
		for _, c := range w.Conds {
			rw.Conditions = append(rw.Conditions, ScmpCondition{
				Argument: uint(c.Arg),
				Op:       ScmpCompareOp(c.Op),
				Operand1: c.A,
				Operand2: c.B,
			})
		}
		fn(rw)
	}
}

// TransactionStart starts a transaction: the rule and architecture
// changes made until the matching TransactionReject are undone by it.
// Transactions nest. Attribute changes are not part of transactions.
func (f *ScmpFilter) TransactionStart() error {
	if f == nil {
		return errBadFilter
	}
	f.lock.Lock()
	defer f.lock.Unlock()

	if !f.valid {
		return errBadFilter
	}
	if err := f.col.TransactionStart(); err != nil {
		return errRc(err)
	}
	return nil
}

// TransactionReject undoes the changes made since the matching
// TransactionStart. On a released or nil filter it does nothing.
func (f *ScmpFilter) TransactionReject() {
	// the only error is errBadFilter, for which there is nothing to undo
	_ = f.withValid(func() error {
		f.col.TransactionReject()
		return nil
	})
}

// TransactionCommit keeps the changes made since the matching
// TransactionStart.
func (f *ScmpFilter) TransactionCommit() error {
	if f == nil {
		return errBadFilter
	}
	f.lock.Lock()
	defer f.lock.Unlock()

	if !f.valid {
		return errBadFilter
	}
	if err := f.col.TransactionCommit(); err != nil {
		return errRc(err)
	}
	return nil
}

// Load compiles the filter and loads it into the kernel for the calling
// thread or, with the TSYNC attribute (set by NewFilter when the kernel
// offers it), for every thread of the process. With the NO_NEW_PRIVS
// attribute (the default) it sets no_new_privs first.
//
// Errors follow libseccomp: syscall.ECANCELED for a failure of the
// kernel, unless the RawRC attribute is set, and syscall.ESRCH when a
// thread could not be synchronised.
func (f *ScmpFilter) Load() error {
	if f == nil {
		return errBadFilter
	}
	f.lock.Lock()
	defer f.lock.Unlock()

	p, err := f.program()
	if err != nil {
		return err
	}
	opts := kernel.Options{
		NoNewPrivs:       f.attr(db.AttrNNP) != 0,
		TSync:            f.attr(db.AttrTSync) != 0,
		Log:              f.attr(db.AttrLog) != 0,
		SpecAllow:        f.attr(db.AttrSSB) != 0,
		WaitKillableRecv: f.attr(db.AttrWaitKill) != 0,
		NotifyUsed:       f.col.NotifyUsed(),
		RawRC:            f.attr(db.AttrRawRC) != 0,
	}
	return errRc(kernel.LoadFilter(p, opts))
}

// attr reads an attribute, zero on error; f.lock must be held.
func (f *ScmpFilter) attr(a db.Attr) uint32 {
	v, _ := f.col.AttrGet(a)
	return v
}

// GetNotifFd returns the user-notification descriptor of the process: the
// one created when a filter using ActNotify was loaded, or -1 when there
// is none yet. It needs API level 6. As in libseccomp 2.6.1, the
// descriptor belongs to the process rather than to the filter: it does
// not depend on f, except that a filter without architectures gives
// -EINVAL (-22) as the descriptor, with a nil error.
func (f *ScmpFilter) GetNotifFd() (ScmpFd, error) {
	if f == nil {
		return -1, errBadFilter
	}
	f.lock.Lock()
	defer f.lock.Unlock()

	if !f.valid {
		return -1, errBadFilter
	}
	if err := notifSupported(); err != nil {
		return -1, err
	}
	if f.col.Valid() != nil {
		return -ScmpFd(syscall.EINVAL), nil
	}
	return notifFd()
}
