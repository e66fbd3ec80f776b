package seccomp

import (
	"github.com/seccomp-go/seccomp/internal/db"
)

// getFilterAttr reads a filter attribute.
func (f *ScmpFilter) getFilterAttr(attr db.Attr) (uint32, error) {
	if f == nil {
		return 0x0, errBadFilter
	}
	f.lock.Lock()
	defer f.lock.Unlock()

	if !f.valid {
		return 0x0, errBadFilter
	}
	v, err := f.col.AttrGet(attr)
	if err != nil {
		return 0x0, errRc(err)
	}
	return v, nil
}

// setFilterAttr sets a filter attribute.
func (f *ScmpFilter) setFilterAttr(attr db.Attr, value uint32) error {
	if f == nil {
		return errBadFilter
	}
	f.lock.Lock()
	defer f.lock.Unlock()

	if !f.valid {
		return errBadFilter
	}
	if err := f.col.AttrSet(attr, value); err != nil {
		return errRc(err)
	}
	return nil
}

func (f *ScmpFilter) getBool(attr db.Attr) (bool, error) {
	v, err := f.getFilterAttr(attr)
	if err != nil {
		return false, err
	}
	return v != 0, nil
}

func boolAttr(state bool) uint32 {
	if state {
		return 1
	}
	return 0
}

// GetDefaultAction returns the action for syscalls that no rule matches.
func (f *ScmpFilter) GetDefaultAction() (ScmpAction, error) {
	action, err := f.getFilterAttr(db.AttrActDefault)
	if err != nil {
		return 0x0, err
	}
	return actionFromNative(db.Action(action))
}

// GetBadArchAction returns the action for syscalls of an architecture that
// is not in the filter.
func (f *ScmpFilter) GetBadArchAction() (ScmpAction, error) {
	action, err := f.getFilterAttr(db.AttrActBadArch)
	if err != nil {
		return 0x0, err
	}
	return actionFromNative(db.Action(action))
}

// GetNoNewPrivsBit reports whether loading the filter sets no_new_privs
// first (the default), which lets a process without CAP_SYS_ADMIN load
// it; with no_new_privs, execve can't grant privileges (setuid and
// file capabilities are ignored).
func (f *ScmpFilter) GetNoNewPrivsBit() (bool, error) {
	return f.getBool(db.AttrNNP)
}

// GetLogBit reports whether the filter is loaded with
// SECCOMP_FILTER_FLAG_LOG, which logs every action but ActAllow. It
// needs API level 3.
func (f *ScmpFilter) GetLogBit() (bool, error) {
	log, err := f.getBool(db.AttrLog)
	if err != nil {
		if e := checkAPI("GetLogBit", 3, 2, 4, 0); e != nil {
			err = e
		}
		return false, err
	}
	return log, nil
}

// GetSSB reports whether the filter is loaded with
// SECCOMP_FILTER_FLAG_SPEC_ALLOW, which leaves the speculative store
// bypass mitigation off. It needs API level 4.
func (f *ScmpFilter) GetSSB() (bool, error) {
	ssb, err := f.getBool(db.AttrSSB)
	if err != nil {
		if e := checkAPI("GetSSB", 4, 2, 5, 0); e != nil {
			err = e
		}
		return false, err
	}
	return ssb, nil
}

// GetOptimize returns the optimization level, 1 (the default) or 2; see
// SetOptimize.
func (f *ScmpFilter) GetOptimize() (int, error) {
	level, err := f.getFilterAttr(db.AttrOptimize)
	if err != nil {
		if e := checkAPI("GetOptimize", 4, 2, 5, 0); e != nil {
			err = e
		}
		return 0, err
	}
	return int(level), nil
}

// GetRawRC reports whether Load and the export functions return the
// kernel's error codes instead of syscall.ECANCELED.
func (f *ScmpFilter) GetRawRC() (bool, error) {
	rawrc, err := f.getBool(db.AttrRawRC)
	if err != nil {
		if e := checkAPI("GetRawRC", 4, 2, 5, 0); e != nil {
			err = e
		}
		return false, err
	}
	return rawrc, nil
}

// GetWaitKill reports whether the filter is loaded with
// SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV when it uses ActNotify. It
// needs API level 7.
func (f *ScmpFilter) GetWaitKill() (bool, error) {
	val, err := f.getBool(db.AttrWaitKill)
	if err != nil {
		if e := checkAPI("GetWaitKill", 7, 2, 6, 0); e != nil {
			err = e
		}
		return false, err
	}
	return val, nil
}

// GetTSync reports whether the filter is loaded on every thread of the
// process (SECCOMP_FILTER_FLAG_TSYNC); NewFilter sets it when the kernel
// offers it.
func (f *ScmpFilter) GetTSync() (bool, error) {
	return f.getBool(db.AttrTSync)
}

// GetTSkip reports whether rules for syscall -1 are allowed
// (SCMP_FLTATR_API_TSKIP); see SetTSkip.
func (f *ScmpFilter) GetTSkip() (bool, error) {
	return f.getBool(db.AttrTSkip)
}

// SetBadArchAction sets the action for syscalls of an architecture that
// is not in the filter (ActKillThread by default).
func (f *ScmpFilter) SetBadArchAction(action ScmpAction) error {
	if err := sanitizeAction(action); err != nil {
		return err
	}
	return f.setFilterAttr(db.AttrActBadArch, uint32(action.toNative()))
}

// SetNoNewPrivsBit sets whether loading the filter sets no_new_privs
// first. Without it, loading needs CAP_SYS_ADMIN.
func (f *ScmpFilter) SetNoNewPrivsBit(state bool) error {
	return f.setFilterAttr(db.AttrNNP, boolAttr(state))
}

// SetLogBit sets whether the filter is loaded with
// SECCOMP_FILTER_FLAG_LOG. It needs API level 3.
func (f *ScmpFilter) SetLogBit(state bool) error {
	err := f.setFilterAttr(db.AttrLog, boolAttr(state))
	if err != nil {
		if e := checkAPI("SetLogBit", 3, 2, 4, 0); e != nil {
			err = e
		}
	}
	return err
}

// SetSSB sets whether the filter is loaded with
// SECCOMP_FILTER_FLAG_SPEC_ALLOW. It needs API level 4.
func (f *ScmpFilter) SetSSB(state bool) error {
	err := f.setFilterAttr(db.AttrSSB, boolAttr(state))
	if err != nil {
		if e := checkAPI("SetSSB", 4, 2, 5, 0); e != nil {
			err = e
		}
	}
	return err
}

// SetOptimize sets the optimization level: 1 (the default) or 2; other
// values give syscall.EOPNOTSUPP. It is kept for compatibility: this
// package always generates its best code, a decision tree over syscall
// number ranges, whatever the level.
func (f *ScmpFilter) SetOptimize(level int) error {
	err := f.setFilterAttr(db.AttrOptimize, uint32(level))
	if err != nil {
		if e := checkAPI("SetOptimize", 4, 2, 5, 0); e != nil {
			err = e
		}
	}
	return err
}

// SetRawRC sets whether Load and the export functions return the
// kernel's error codes instead of syscall.ECANCELED. Defaults to false.
func (f *ScmpFilter) SetRawRC(state bool) error {
	err := f.setFilterAttr(db.AttrRawRC, boolAttr(state))
	if err != nil {
		if e := checkAPI("SetRawRC", 4, 2, 5, 0); e != nil {
			err = e
		}
	}
	return err
}

// SetWaitKill sets whether the filter is loaded with
// SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV when it uses ActNotify. Defaults
// to false. It needs API level 7 to take effect.
func (f *ScmpFilter) SetWaitKill(state bool) error {
	err := f.setFilterAttr(db.AttrWaitKill, boolAttr(state))
	if err != nil {
		if e := checkAPI("SetWaitKill", 7, 2, 6, 0); e != nil {
			err = e
		}
	}
	return err
}

// SetTSync sets whether the filter is loaded on every thread of the
// process. It gives syscall.EOPNOTSUPP on kernels without
// SECCOMP_FILTER_FLAG_TSYNC, and syscall.EINVAL when the filter uses
// ActNotify on a kernel without SECCOMP_FILTER_FLAG_TSYNC_ESRCH.
func (f *ScmpFilter) SetTSync(state bool) error {
	return f.setFilterAttr(db.AttrTSync, boolAttr(state))
}

// SetTSkip sets whether rules may be added for syscall -1, which a ptrace
// tracer uses to skip a syscall (SCMP_FLTATR_API_TSKIP). Without it, such
// rules give an error. Rules for -1 are compiled into the filter only
// while the attribute is set.
func (f *ScmpFilter) SetTSkip(state bool) error {
	return f.setFilterAttr(db.AttrTSkip, boolAttr(state))
}
