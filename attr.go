package seccomp

import (
	"github.com/seccomp-go/seccomp/internal/db"
)

// getFilterAttr reads a filter attribute.
func (f *ScmpFilter) getFilterAttr(attr db.Attr) (uint32, error) {
	var v uint32
	err := f.withValid(func() (err error) {
		v, err = f.col.AttrGet(attr)
		return err
	})
	if err != nil {
		return 0, err
	}
	return v, nil
}

// setFilterAttr sets a filter attribute.
func (f *ScmpFilter) setFilterAttr(attr db.Attr, value uint32) error {
	return f.withValid(func() error { return f.col.AttrSet(attr, value) })
}

// withValid runs op with f locked when f is a valid filter, and returns
// errBadFilter otherwise; op's error is reported as libseccomp's errno.
func (f *ScmpFilter) withValid(op func() error) error {
	if f == nil {
		return errBadFilter
	}
	f.lock.Lock()
	defer f.lock.Unlock()
	if !f.valid {
		return errBadFilter
	}
	if err := op(); err != nil {
		return errRc(err)
	}
	return nil
}

// Requirements of the attributes libseccomp added after its first
// releases. A getter or setter of such an attribute that fails reports
// the unmet requirement instead, when there is one: the API level is the
// usual cause.
var (
	needLog      = requirement{since: release{2, 4, 0}, apiLevel: 3}
	needSSB      = requirement{since: release{2, 5, 0}, apiLevel: 4} // also the optimize level and RawRC
	needWaitKill = requirement{since: release{2, 6, 0}, apiLevel: 7}
	needNothing  = requirement{}
)

// explain returns err, or the *VersionError of r for operation op when
// err is not nil and r is not met.
func (r requirement) explain(op string, err error) error {
	if err == nil || r.since == (release{}) {
		return err
	}
	r.op = op
	if unmet := r.check(); unmet != nil {
		return unmet
	}
	return err
}

// attrUint reads attribute id for the method op, which needs r.
func (f *ScmpFilter) attrUint(op string, id db.Attr, r requirement) (uint32, error) {
	v, err := f.getFilterAttr(id)
	return v, r.explain(op, err)
}

// attrBool reads the boolean attribute id for the method op, which needs r.
func (f *ScmpFilter) attrBool(op string, id db.Attr, r requirement) (bool, error) {
	v, err := f.attrUint(op, id, r)
	return v != 0, err
}

// setAttr sets attribute id to v for the method op, which needs r.
func (f *ScmpFilter) setAttr(op string, id db.Attr, v uint32, r requirement) error {
	return r.explain(op, f.setFilterAttr(id, v))
}

// boolAttr is the attribute value of state.
func boolAttr(state bool) uint32 {
	if state {
		return 1
	}
	return 0
}

// actionAttr reads an attribute that holds an action.
func (f *ScmpFilter) actionAttr(id db.Attr) (ScmpAction, error) {
	v, err := f.getFilterAttr(id)
	if err != nil {
		return ActInvalid, err
	}
	return actionFromNative(db.Action(v))
}

// GetDefaultAction returns the action for syscalls that no rule matches.
func (f *ScmpFilter) GetDefaultAction() (ScmpAction, error) {
	return f.actionAttr(db.AttrActDefault)
}

// GetBadArchAction returns the action for syscalls of an architecture that
// is not in the filter.
func (f *ScmpFilter) GetBadArchAction() (ScmpAction, error) {
	return f.actionAttr(db.AttrActBadArch)
}

// GetNoNewPrivsBit reports whether loading the filter sets no_new_privs
// first (the default), which lets a process without CAP_SYS_ADMIN load
// it; with no_new_privs, execve can't grant privileges (setuid and
// file capabilities are ignored).
func (f *ScmpFilter) GetNoNewPrivsBit() (bool, error) {
	return f.attrBool("GetNoNewPrivsBit", db.AttrNNP, needNothing)
}

// GetLogBit reports whether the filter is loaded with
// SECCOMP_FILTER_FLAG_LOG, which logs every action but ActAllow. It
// needs API level 3.
func (f *ScmpFilter) GetLogBit() (bool, error) {
	return f.attrBool("GetLogBit", db.AttrLog, needLog)
}

// GetSSB reports whether the filter is loaded with
// SECCOMP_FILTER_FLAG_SPEC_ALLOW, which leaves the speculative store
// bypass mitigation off. It needs API level 4.
func (f *ScmpFilter) GetSSB() (bool, error) {
	return f.attrBool("GetSSB", db.AttrSSB, needSSB)
}

// GetOptimize returns the optimization level, 1 (the default) or 2; see
// SetOptimize.
func (f *ScmpFilter) GetOptimize() (int, error) {
	level, err := f.attrUint("GetOptimize", db.AttrOptimize, needSSB)
	return int(level), err
}

// GetRawRC reports whether Load and the export functions return the
// kernel's error codes instead of syscall.ECANCELED.
func (f *ScmpFilter) GetRawRC() (bool, error) {
	return f.attrBool("GetRawRC", db.AttrRawRC, needSSB)
}

// GetWaitKill reports whether the filter is loaded with
// SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV when it uses ActNotify. It
// needs API level 7.
func (f *ScmpFilter) GetWaitKill() (bool, error) {
	return f.attrBool("GetWaitKill", db.AttrWaitKill, needWaitKill)
}

// GetTSync reports whether the filter is loaded on every thread of the
// process (SECCOMP_FILTER_FLAG_TSYNC); NewFilter sets it when the kernel
// offers it.
func (f *ScmpFilter) GetTSync() (bool, error) {
	return f.attrBool("GetTSync", db.AttrTSync, needNothing)
}

// GetTSkip reports whether rules for syscall -1 are allowed
// (SCMP_FLTATR_API_TSKIP); see SetTSkip.
func (f *ScmpFilter) GetTSkip() (bool, error) {
	return f.attrBool("GetTSkip", db.AttrTSkip, needNothing)
}

// SetBadArchAction sets the action for syscalls of an architecture that
// is not in the filter (ActKillThread by default).
func (f *ScmpFilter) SetBadArchAction(action ScmpAction) error {
	err := sanitizeAction(action)
	if err == nil {
		err = f.setFilterAttr(db.AttrActBadArch, uint32(action.toNative()))
	}
	return err
}

// SetNoNewPrivsBit sets whether loading the filter sets no_new_privs
// first. Without it, loading needs CAP_SYS_ADMIN.
func (f *ScmpFilter) SetNoNewPrivsBit(state bool) error {
	return f.setAttr("SetNoNewPrivsBit", db.AttrNNP, boolAttr(state), needNothing)
}

// SetLogBit sets whether the filter is loaded with
// SECCOMP_FILTER_FLAG_LOG. It needs API level 3.
func (f *ScmpFilter) SetLogBit(state bool) error {
	return f.setAttr("SetLogBit", db.AttrLog, boolAttr(state), needLog)
}

// SetSSB sets whether the filter is loaded with
// SECCOMP_FILTER_FLAG_SPEC_ALLOW. It needs API level 4.
func (f *ScmpFilter) SetSSB(state bool) error {
	return f.setAttr("SetSSB", db.AttrSSB, boolAttr(state), needSSB)
}

// SetOptimize sets the optimization level: 1 (the default) or 2; other
// values give syscall.EOPNOTSUPP. It is kept for compatibility: this
// package always generates its best code, a decision tree over syscall
// number ranges, whatever the level.
func (f *ScmpFilter) SetOptimize(level int) error {
	return f.setAttr("SetOptimize", db.AttrOptimize, uint32(level), needSSB)
}

// SetRawRC sets whether Load and the export functions return the
// kernel's error codes instead of syscall.ECANCELED. Defaults to false.
func (f *ScmpFilter) SetRawRC(state bool) error {
	return f.setAttr("SetRawRC", db.AttrRawRC, boolAttr(state), needSSB)
}

// SetWaitKill sets whether the filter is loaded with
// SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV when it uses ActNotify. Defaults
// to false. It needs API level 7 to take effect.
func (f *ScmpFilter) SetWaitKill(state bool) error {
	return f.setAttr("SetWaitKill", db.AttrWaitKill, boolAttr(state), needWaitKill)
}

// SetTSync sets whether the filter is loaded on every thread of the
// process. It gives syscall.EOPNOTSUPP on kernels without
// SECCOMP_FILTER_FLAG_TSYNC, and syscall.EINVAL when the filter uses
// ActNotify on a kernel without SECCOMP_FILTER_FLAG_TSYNC_ESRCH.
func (f *ScmpFilter) SetTSync(state bool) error {
	return f.setAttr("SetTSync", db.AttrTSync, boolAttr(state), needNothing)
}

// SetTSkip sets whether rules may be added for syscall -1, which a ptrace
// tracer uses to skip a syscall (SCMP_FLTATR_API_TSKIP). Without it, such
// rules give an error. Rules for -1 are compiled into the filter only
// while the attribute is set.
func (f *ScmpFilter) SetTSkip(state bool) error {
	return f.setAttr("SetTSkip", db.AttrTSkip, boolAttr(state), needNothing)
}
