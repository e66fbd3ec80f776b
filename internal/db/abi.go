package db

import (
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/seccomp-go/seccomp/arch"
)

// translate turns a syscall number of the native ABI into the number of
// the same syscall, by name, on the filter's ABI (libseccomp's
// arch_syscall_translate). Syscall -1 is never translated.
func translate(native, a *arch.Arch, nr int32) (int32, error) {
	if nr == -1 || a.ScmpToken == native.ScmpToken {
		return nr, nil
	}
	name, ok := native.SyscallName(nr)
	if !ok {
		return 0, syscall.EFAULT
	}
	n, ok := a.SyscallNumber(name)
	if !ok {
		return 0, syscall.EFAULT
	}
	return n, nil
}

// ruleResult records what one rule did to one syscall of one ABI, for
// the warning hook.
type ruleResult struct {
	num     int32
	outcome addOutcome
	skipped bool // the ABI lacks the syscall; nothing was added
}

// filterRuleAdd adds a rule given in the native namespace to one ABI's
// database, translating and rewriting it as libseccomp's
// arch_filter_rule_add and the per-ABI rule_add functions do, and records
// it for replay on success.
func (db *archDB) filterRuleAdd(native *arch.Arch, r *rule, res *[]ruleResult) error {
	if err := db.archRuleAdd(native, r, res); err != nil {
		return err
	}
	db.record(r)
	return nil
}

// record appends r to the rules the database has accepted.
func (db *archDB) record(r *rule) {
	if db.rules == nil {
		db.startRules()
	}
	db.rules = append(db.rules, r)
}

// startRules gives the database an empty rule list with room for some
// rules, from the storage if it has one.
func (db *archDB) startRules() {
	if db.rules = db.alloc.st.takeRuleList(); db.rules == nil {
		db.rules = make([]*rule, 0, fullBlock)
	}
}

// placement tells how a rule goes into an ABI's database.
type placement int

const (
	placeDirect placement = iota // as a rule for one syscall number
	placeSkip                    // not at all: the ABI lacks the syscall
	placeMux                     // twice: the multiplexer and the direct call
)

// place decides how a rule for native number nr goes into the database,
// as libseccomp's arch_filter_rule_add and the per-ABI rule_add functions
// do: it translates nr to the ABI's number, tells a socket or IPC call of
// an ABI that multiplexes them (m is then how), and fails with EFAULT for
// a number that does not translate and EDOM for an exact rule for a
// syscall the ABI lacks.
func (db *archDB) place(native *arch.Arch, nr int32, exact bool) (num int32, how placement, m arch.Mux, err error) {
	if nr != -1 && (db.arch != native || db.arch.Multiplexes) {
		var isMux bool
		if nr, m, isMux, err = db.resolveCached(native, nr); err != nil {
			return 0, 0, m, err
		}
		if isMux {
			return nr, placeMux, m, nil
		}
	}
	switch {
	case nr < -1 && exact:
		return 0, 0, m, syscall.EDOM
	case nr < -1 && db.arch.Multiplexes:
		return nr, placeSkip, m, nil
	}
	return nr, placeDirect, m, nil
}

// plainNumber tells how archRuleAdd would add a rule without conditions
// for native number nr: as a rule for syscall num of the database's ABI
// (add), or as nothing at all. ok is false when archRuleAdd would do
// something else: fail, or add the rule for a multiplexed call twice.
func (db *archDB) plainNumber(native *arch.Arch, nr int32, exact bool) (num uint32, add, ok bool) {
	n, how, _, err := db.place(native, nr, exact)
	if err != nil || how == placeMux {
		return 0, false, false
	}
	return uint32(n), how == placeDirect, true
}

// xlateMax bounds the native numbers whose translation is cached: every
// ABI's syscalls are below it, but for the offset ones: MIPS's, from
// 4000 up, x32's, with bit 30 set, and ARM's private ones at 0x0f0000,
// which were never cached.
const xlateMax = 1024

// xlatePseudo bounds the pseudo numbers whose translation is cached,
// from -10000 down; the tables' go down to about -10250.
const xlatePseudo = 512

// xlateTable caches, for one native ABI and one target ABI, what resolve
// finds for native numbers 0 to xlateMax-1, then for pseudo numbers
// -10000 down to -10000-xlatePseudo+1. An entry is 0 while unknown,
// else xlateKnown, plus xlateFault for EFAULT or xlateMux for a
// multiplexed call, with the number in the upper 32 bits. Entries are
// filled on first use by whoever needs them; racing writers store the
// same value.
type xlateTable [xlateMax + xlatePseudo]atomic.Uint64

const (
	xlateKnown = 1 << iota
	xlateFault
	xlateMux
)

var xlateTables struct {
	sync.Mutex
	m map[[2]*arch.Arch]*xlateTable
}

// xlateTableFor returns the process-wide table of the two ABIs.
func xlateTableFor(native, a *arch.Arch) *xlateTable {
	xlateTables.Lock()
	defer xlateTables.Unlock()
	key := [2]*arch.Arch{native, a}
	t := xlateTables.m[key]
	if t == nil {
		if xlateTables.m == nil {
			xlateTables.m = map[[2]*arch.Arch]*xlateTable{}
		}
		t = new(xlateTable)
		xlateTables.m[key] = t
	}
	return t
}

// resolve translates native number nr to the ABI and, for an ABI that
// multiplexes socket and IPC calls, tells how (arch.Multiplexed). Both
// only depend on the two ABIs: they are cached (see xlateTable).
func (db *archDB) resolve(native *arch.Arch, nr int32) (int32, arch.Mux, bool, error) {
	if nr == -1 || (db.arch == native && !db.arch.Multiplexes) {
		return nr, arch.Mux{}, false, nil
	}
	return db.resolveCached(native, nr)
}

// resolveCached is resolve through the cache.
func (db *archDB) resolveCached(native *arch.Arch, nr int32) (int32, arch.Mux, bool, error) {
	if db.arch.ScmpToken == native.ScmpToken && !db.arch.Multiplexes {
		return nr, arch.Mux{}, false, nil
	}
	var i int
	switch {
	case nr >= 0 && nr < xlateMax:
		i = int(nr)
	case nr <= -10000 && nr > -10000-xlatePseudo:
		// the pseudo numbers of syscalls the native ABI lacks
		i = xlateMax + int(-10000-nr)
	default:
		return resolveUncached(native, db.arch, nr)
	}
	if db.xnative != native {
		db.xnative, db.xtab = native, xlateTableFor(native, db.arch)
	}
	e := &db.xtab[i]
	v := e.Load()
	if v == 0 {
		out, m, isMux, err := resolveUncached(native, db.arch, nr)
		switch {
		case err != nil:
			e.Store(xlateKnown | xlateFault)
			return 0, arch.Mux{}, false, err
		case isMux:
			e.Store(uint64(uint32(out))<<32 | xlateKnown | xlateMux)
		default:
			e.Store(uint64(uint32(out))<<32 | xlateKnown)
		}
		return out, m, isMux, nil
	}
	if v&xlateFault != 0 {
		return 0, arch.Mux{}, false, syscall.EFAULT
	}
	out := int32(v >> 32)
	if v&xlateMux != 0 {
		m, ok := db.arch.Multiplexed(out)
		return out, m, ok, nil
	}
	return out, arch.Mux{}, false, nil
}

// resolveUncached is resolve without the cache.
func resolveUncached(native, a *arch.Arch, nr int32) (int32, arch.Mux, bool, error) {
	out, err := translate(native, a, nr)
	if err != nil {
		return 0, arch.Mux{}, false, err
	}
	if out == -1 || !a.Multiplexes {
		return out, arch.Mux{}, false, nil
	}
	m, ok := a.Multiplexed(out)
	return out, m, ok, nil
}

func (db *archDB) archRuleAdd(native *arch.Arch, r *rule, res *[]ruleResult) error {
	nr, how, m, err := db.place(native, r.syscall, r.strict)
	if err != nil {
		return err
	}
	d := *r
	d.syscall = nr
	switch how {
	case placeSkip:
		if res != nil {
			*res = append(*res, ruleResult{num: nr, skipped: true})
		}
		return nil
	case placeMux:
		return db.muxRuleAdd(&d, res, m)
	}
	return db.add(&d, res)
}

func (db *archDB) add(r *rule, res *[]ruleResult) error {
	var before string
	if res != nil {
		before = fingerprint(db.entry(uint32(r.syscall)))
	}
	out, err := db.ruleAdd(r)
	if err != nil {
		return err
	}
	if res != nil {
		if out == outcomeAdded && fingerprint(db.entry(uint32(r.syscall))) == before {
			out = outcomeIgnored
		}
		*res = append(*res, ruleResult{num: r.syscall, outcome: out, skipped: r.syscall < -1})
	}
	return nil
}

// muxRuleAdd is libseccomp's abi_rule_add, for a socket or IPC call of
// an ABI that multiplexes them through socketcall(2) and ipc(2); m is
// what db.arch.Multiplexed(r.syscall) returns.
func (db *archDB) muxRuleAdd(r *rule, res *[]ruleResult, m arch.Mux) error {
	if r.strict {
		for _, a := range r.cmps() {
			if a.valid {
				return syscall.EINVAL
			}
		}
	}
	if m.Name == "" || r.syscall == 0 {
		// libseccomp fails to resolve the call and returns its
		// generic error, which the API reports as EFAULT
		return syscall.EFAULT
	}
	// the multiplexer, its first argument selecting the call
	a := *r
	a.syscall = m.Nr
	args := *r.cmps()
	args[0] = apiArg{valid: true, op: cmpEQ, mask: datumMax, datum: uint64(m.Call)}
	a.args = &args
	if err := db.add(&a, res); err != nil {
		return err
	}
	// the direct syscall (a negative number when the ABI has none)
	b := *r
	b.syscall = m.Direct
	return db.add(&b, res)
}
