package db

import (
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
	db.rules = append(db.rules, r)
	return nil
}

func (db *archDB) archRuleAdd(native *arch.Arch, r *rule, res *[]ruleResult) error {
	nr, err := translate(native, db.arch, r.syscall)
	if err != nil {
		return err
	}
	d := *r
	d.syscall = nr
	if nr == -1 || !db.arch.Multiplexes {
		if nr < -1 && d.strict {
			return syscall.EDOM
		}
		return db.add(&d, res)
	}
	return db.muxRuleAdd(&d, res)
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

// muxRuleAdd is libseccomp's abi_rule_add for ABIs that multiplex the
// socket and IPC syscalls through socketcall(2) and ipc(2).
func (db *archDB) muxRuleAdd(r *rule, res *[]ruleResult) error {
	m, ok := db.arch.Multiplexed(r.syscall)
	if !ok {
		if r.syscall >= 0 {
			return db.add(r, res)
		}
		if r.strict {
			return syscall.EDOM
		}
		if res != nil {
			*res = append(*res, ruleResult{num: r.syscall, skipped: true})
		}
		return nil
	}
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
