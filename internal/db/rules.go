package db

import (
	"errors"
	"syscall"

	"github.com/seccomp-go/seccomp/arch"
)

// Cond is one argument comparison of a rule, as libseccomp's struct
// scmp_arg_cmp: Op is in libseccomp's numbering (1 NE, 2 LT, 3 LE, 4 EQ,
// 5 GE, 6 GT, 7 MASKED_EQ); MASKED_EQ compares (arg & A) == B, the others
// compare the argument with A.
type Cond struct {
	Arg  uint32
	Op   int
	A, B uint64
}

// WarningKind tells why a rule did not take effect as written.
type WarningKind int

// Warning kinds.
const (
	// WarnIgnored: the rule left the architecture's filter unchanged,
	// because an existing rule already decides the syscall or the
	// argument values it covers (libseccomp drops such rules silently,
	// even when their action differs).
	WarnIgnored WarningKind = iota + 1
	// WarnReplaced: the rule has no conditions and replaced the
	// conditional rules the syscall had.
	WarnReplaced
	// WarnSkipped: the architecture has no such syscall, so the rule was
	// not added for it.
	WarnSkipped
)

// String returns a short description of the kind.
func (k WarningKind) String() string {
	switch k {
	case WarnIgnored:
		return "rule ignored: existing rules already decide it"
	case WarnReplaced:
		return "rule replaced the syscall's conditional rules"
	case WarnSkipped:
		return "rule skipped: syscall not on this architecture"
	}
	return "unknown warning"
}

// Warning describes a rule accepted without the effect it asks for on one
// architecture.
type Warning struct {
	Kind WarningKind
	Arch *arch.Arch
	// Syscall is the rule's syscall number, in the native namespace.
	Syscall int32
	// Num is the number the rule was added for on Arch (for multiplexed
	// socket and IPC calls, either the multiplexer or the direct call).
	Num    int32
	Action Action
	Conds  []Cond
}

// syscallValid is libseccomp's _syscall_valid.
func (c *Collection) syscallValid(nr int32) error {
	if c.attr.tskip != 0 && nr == -1 {
		return nil
	}
	if nr <= -1 && nr >= -99 {
		return syscall.EINVAL
	}
	return nil
}

// AddRule adds a rule for syscall nr, a number in the native namespace, to
// every architecture, all or nothing (seccomp_rule_add_array and, with
// exact, seccomp_rule_add_exact_array).
//
// Errors: EINVAL for more than six conditions, a condition on an argument
// above 5 or on the same argument twice, an unknown operator, an invalid
// action, syscall -2 to -99 (and -1 without TSKIP), or a collection
// without architectures; EACCES when the action is the default action;
// EOPNOTSUPP for an exact rule on more than one architecture; EDOM for an
// exact rule whose syscall the architecture lacks; EINVAL for an exact
// rule with conditions on a multiplexed socket or IPC syscall; EEXIST when
// the rule conflicts with an existing one; EFAULT when the syscall can't
// be translated to another architecture.
func (c *Collection) AddRule(action Action, nr int32, exact bool, conds []Cond) error {
	if len(conds) == 0 && c.nativeOnly() && nr >= 0 && c.Warn == nil && !c.Strict {
		// most rules: the checks below that can fail, in their order
		if err := c.actionValid(action, true); err != nil {
			return err
		}
		if action == c.attr.actDefault {
			return syscall.EACCES
		}
		return c.addNative(action, nr, exact)
	}
	return c.addRule(action, nr, exact, conds)
}

// addRule is AddRule.
func (c *Collection) addRule(action Action, nr int32, exact bool, conds []Cond) error {
	if len(conds) > 6 {
		return syscall.EINVAL
	}
	if err := c.Valid(); err != nil {
		return err
	}
	if err := c.syscallValid(nr); err != nil {
		return err
	}
	if err := c.actionValid(action, true); err != nil {
		return err
	}
	if action == c.attr.actDefault {
		return syscall.EACCES
	}
	if exact && len(c.filters) > 1 {
		return syscall.EOPNOTSUPP
	}
	if len(conds) == 0 && c.Warn == nil && !c.Strict {
		if c.nativeOnly() && nr >= -1 {
			return c.addNative(action, nr, exact)
		}
		if done, err := c.addUnconditional(action, nr, exact); done {
			return err
		}
	}
	r := c.newRule()
	*r = rule{action: action, syscall: nr, strict: exact}
	if len(conds) > 0 {
		r.args = new([6]apiArg)
	}
	for _, cd := range conds {
		if cd.Arg >= 6 || r.args[cd.Arg].valid {
			return syscall.EINVAL
		}
		a := &r.args[cd.Arg]
		a.valid = true
		a.op = int32(cd.Op)
		switch cd.Op {
		case cmpNE, cmpLT, cmpLE, cmpEQ, cmpGE, cmpGT:
			a.mask, a.datum = datumMax, cd.A
		case cmpMaskedEQ:
			a.mask, a.datum = cd.A, cd.B
		default:
			return syscall.EINVAL
		}
	}

	if err := c.transactionStart(false); err != nil {
		return err
	}
	var (
		err     error
		results [][]ruleResult
	)
	report := c.Warn != nil || c.Strict
	for _, f := range c.filters {
		if !report {
			if err = f.filterRuleAdd(c.native, r, nil); err != nil {
				break
			}
			continue
		}
		var res []ruleResult
		if err = f.filterRuleAdd(c.native, r, &res); err != nil {
			break
		}
		results = append(results, res)
	}
	if err == nil && c.Strict && ignored(results) {
		err = ErrIgnored
	}
	if err != nil {
		c.transactionAbort(false)
		return err
	}
	c.transactionCommit(false)
	if action == ActNotify {
		c.notify = true
	}
	c.gen++
	if c.Warn != nil {
		c.warn(r, conds, results)
	}
	return nil
}

// maxPlainFilters bounds the number of architectures addUnconditional
// handles.
const maxPlainFilters = 8

// addUnconditional is AddRule for a valid rule without conditions when
// every architecture takes it as a rule for a single syscall number, so
// that adding it can't fail: it spares the general path's translated
// copies of the rule and its undo. It reports false, having changed
// nothing, when the rule needs the general path (a translation that
// fails, a multiplexed socket or IPC call, an exact rule that would fail,
// too many architectures).
func (c *Collection) addUnconditional(action Action, nr int32, exact bool) (bool, error) {
	if len(c.filters) > maxPlainFilters {
		return false, nil
	}
	var nums [maxPlainFilters]uint32
	var skip [maxPlainFilters]bool
	for i, f := range c.filters {
		num, add, ok := f.plainNumber(c.native, nr, exact)
		if !ok {
			return false, nil
		}
		nums[i], skip[i] = num, !add
	}
	tracked, err := c.beginPlain()
	if err != nil {
		return true, err
	}
	r := c.newRule()
	r.action, r.syscall, r.strict = action, nr, exact
	for i, f := range c.filters {
		if !skip[i] {
			f.addPlain(nums[i], action)
		}
		f.record(r)
	}
	c.endPlain(tracked, action)
	return true, nil
}

// addNative is addUnconditional for the usual filter (nativeOnly) and a
// real syscall number (or -1), which it takes as it is.
func (c *Collection) addNative(action Action, nr int32, exact bool) error {
	tracked, err := c.beginPlain()
	if err != nil {
		return err
	}
	r := c.newRule()
	r.action, r.syscall, r.strict = action, nr, exact
	f := c.filters[0]
	f.addPlain(uint32(nr), action)
	f.record(r)
	c.endPlain(tracked, action)
	return nil
}

// beginPlain starts adding a rule that can't fail. With a shadow
// snapshot that tracks the databases, the rule goes in without a
// transaction (tracked): the snapshot catches up when it is next used.
func (c *Collection) beginPlain() (tracked bool, err error) {
	if n := len(c.snaps); n > 0 {
		if top := c.snaps[n-1]; top.shadow && top.track == c.layout {
			// as the transaction's start and commit leave it
			top.user = false
			return true, nil
		}
	}
	return false, c.transactionStart(false)
}

// endPlain ends what beginPlain started, for a rule with the action.
func (c *Collection) endPlain(tracked bool, action Action) {
	if !tracked {
		c.transactionCommit(false)
	}
	if action == ActNotify {
		c.notify = true
	}
	c.gen++
}

// newRule returns a zero rule: a collection keeps every rule it accepts.
func (c *Collection) newRule() *rule { return c.rules.next() }

// ErrIgnored is returned in strict mode for a rule that would have no
// effect on some architecture.
var ErrIgnored = errors.New("rule has no effect: existing rules already decide it")

func ignored(results [][]ruleResult) bool {
	for _, res := range results {
		for _, x := range res {
			if x.outcome == outcomeIgnored {
				return true
			}
		}
	}
	return false
}

func (c *Collection) warn(r *rule, conds []Cond, results [][]ruleResult) {
	for i, res := range results {
		a := c.filters[i].arch
		w := Warning{Arch: a, Syscall: r.syscall, Action: r.action,
			Conds: append([]Cond(nil), conds...)}
		if len(res) == 0 {
			w.Kind = WarnSkipped
			c.Warn(w)
			continue
		}
		for _, x := range res {
			w.Num = x.num
			switch {
			case x.skipped:
				// a direct call the ABI lacks next to its
				// multiplexed form is not worth a warning
				if len(res) == 1 {
					w.Kind = WarnSkipped
					c.Warn(w)
				}
			case x.outcome == outcomeIgnored:
				w.Kind = WarnIgnored
				c.Warn(w)
			case x.outcome == outcomeReplaced:
				w.Kind = WarnReplaced
				c.Warn(w)
			}
		}
	}
}

// SetPriority records a priority hint for syscall nr, a number in the
// native namespace, on every architecture (seccomp_syscall_priority).
// Architectures that lack the syscall are skipped. Errors: EINVAL for an
// invalid collection or syscall number, EFAULT when the syscall can't be
// translated; the other architectures still get the hint.
func (c *Collection) SetPriority(nr int32, p uint8) error {
	if err := c.Valid(); err != nil {
		return err
	}
	if err := c.syscallValid(nr); err != nil {
		return err
	}
	var rc error
	for _, f := range c.filters {
		sc, err := translate(c.native, f.arch, nr)
		if err == nil && sc < -1 {
			switch {
			case sc > -100:
				err = syscall.EINVAL
			case sc > -10000 && f.arch.Multiplexes:
				if sc <= -100 && sc >= -120 {
					sc = f.arch.SocketCall
				} else if sc <= -200 && sc >= -224 {
					sc = f.arch.IPC
				}
			}
			if err == nil && sc < 0 {
				continue
			}
		}
		if err == nil {
			f.setPriority(uint32(sc), p)
		} else if rc == nil {
			rc = err
		}
	}
	if rc == nil {
		c.gen++
	}
	return rc
}

// replay returns, for each of the given databases, one in the same state
// built by adding its rules again, as libseccomp builds its snapshots.
// Databases whose rules are in the collection's numbering already are in
// the state their rules give, so their copies are lazy: they are only
// built if the snapshot is restored.
func (c *Collection) replay(src []*archDB) ([]*archDB, error) {
	out := make([]*archDB, len(src))
	for i, f := range src {
		if !c.eager && f.native == c.native && !f.lazy {
			out[i] = f.lazyCopy()
			continue
		}
		nf := c.newDB(f.arch)
		for _, r := range f.rules {
			if err := nf.filterRuleAdd(c.native, r, nil); err != nil {
				return nil, syscall.ENOMEM
			}
		}
		out[i] = nf
	}
	return out, nil
}

// transactionStart is libseccomp's db_col_transaction_start: it reuses a
// shadow snapshot left by the last commit, or snapshots the current rules.
func (c *Collection) transactionStart(user bool) error {
	if n := len(c.snaps); n > 0 && c.snaps[n-1].shadow {
		top := c.snaps[n-1]
		top.catchUp()
		top.shadow = false
		top.user = user
		return nil
	}
	filters, err := c.replay(c.filters)
	if err != nil {
		return err
	}
	c.snaps = append(c.snaps, &snapshot{filters: filters, user: user})
	return nil
}

// transactionAbort is libseccomp's db_col_transaction_abort: it restores
// the top snapshot if it belongs to the same kind of caller.
func (c *Collection) transactionAbort(user bool) {
	n := len(c.snaps)
	if n == 0 {
		return
	}
	snap := c.snaps[n-1]
	if snap.shadow {
		c.snaps = c.snaps[:n-1]
		n--
		if n == 0 {
			// libseccomp dereferences a null snapshot here
			return
		}
		snap = c.snaps[n-1]
	}
	if snap.user != user {
		return
	}
	c.snaps = c.snaps[:n-1]
	for _, f := range snap.filters {
		f.materialize()
	}
	c.filters = snap.filters
	c.filtersChanged()
	c.gen++
}

// transactionCommit is libseccomp's db_col_transaction_commit: the top
// snapshot is kept as a shadow, brought up to date by adding the rules
// added since it was taken, to make the next transaction cheap.
func (c *Collection) transactionCommit(user bool) {
	n := len(c.snaps)
	if n == 0 {
		return
	}
	snap := c.snaps[n-1]
	if snap.shadow {
		if n > 1 {
			c.snaps = append(c.snaps[:n-2:n-2], snap)
		}
		return
	}
	if snap.user != user {
		return
	}
	if len(c.filters) > len(snap.filters) {
		for i := len(snap.filters); i < len(c.filters); i++ {
			snap.filters = append(snap.filters, c.newDB(c.filters[i].arch))
		}
	} else if len(c.filters) < len(snap.filters) {
		snap.filters = snap.filters[:len(c.filters)]
	}
	for i, fo := range c.filters {
		fs := snap.filters[i]
		if fs.lazy && fs.src == fo {
			// fs's rules are the first of fo's, and fs is in the
			// state they give: it catches up with fo (the general
			// case below does the same, at more cost)
			n := len(fo.rules)
			fs.rules = fo.rules[:n:n]
			continue
		}
		if len(fo.rules) == 0 {
			continue
		}
		start := 0
		if len(fs.rules) != 0 {
			start = len(fs.rules)
			if start >= len(fo.rules) {
				start %= len(fo.rules)
			}
			if start == 0 {
				continue
			}
		}
		if !c.eager && start == len(fs.rules) && fs.arch == fo.arch &&
			fo.native == c.native && fs.native == c.native &&
			(fs.lazy || len(fs.rules) == 0) && fs.prefixOf(fo) {
			// the snapshot catches up with fo: it is then in fo's
			// state, which adding fo's rules is known to give
			n := len(fo.rules)
			*fs = archDB{arch: fo.arch, rules: fo.rules[:n:n], native: fo.native, lazy: true, src: fo}
			continue
		}
		fs.materialize()
		for _, r := range fo.rules[start:] {
			if err := fs.filterRuleAdd(c.native, r, nil); err != nil {
				c.snaps = c.snaps[:n-1]
				return
			}
		}
	}
	snap.shadow = true
	if c.tracks(snap) {
		snap.track = c.layout
	}
}

// tracks reports whether every database of the snapshot is a lazy copy
// of the collection's database at the same index with all its rules.
func (c *Collection) tracks(snap *snapshot) bool {
	if c.eager || len(snap.filters) != len(c.filters) {
		return false
	}
	for i, fo := range c.filters {
		fs := snap.filters[i]
		if !fs.lazy || fs.src != fo || len(fs.rules) != len(fo.rules) {
			return false
		}
	}
	return true
}

// catchUp gives the lazy databases of a tracking snapshot the rules added
// to their sources since the snapshot was last brought level, all of
// which were added with success, and ends the tracking.
func (snap *snapshot) catchUp() {
	if snap.track == 0 {
		return
	}
	for _, fs := range snap.filters {
		n := len(fs.src.rules)
		fs.rules = fs.src.rules[:n:n]
	}
	snap.track = 0
}

// TransactionStart starts a transaction (seccomp_transaction_start).
// Transactions nest.
func (c *Collection) TransactionStart() error {
	if err := c.Valid(); err != nil {
		return err
	}
	return c.transactionStart(true)
}

// TransactionReject undoes the changes to the rules since the matching
// TransactionStart (seccomp_transaction_reject). Attributes are not
// restored.
func (c *Collection) TransactionReject() {
	if c.Valid() != nil {
		return
	}
	c.transactionAbort(true)
}

// TransactionCommit ends the innermost transaction, keeping its changes
// (seccomp_transaction_commit).
func (c *Collection) TransactionCommit() error {
	if err := c.Valid(); err != nil {
		return err
	}
	c.transactionCommit(true)
	return nil
}
