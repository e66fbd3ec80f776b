package db

import (
	"syscall"

	"github.com/seccomp-go/seccomp/arch"
)

// Filter return values (SECCOMP_RET_*) as libseccomp's SCMP_ACT_* use them.
const (
	ActKillProcess Action = 0x80000000
	ActKillThread  Action = 0x00000000
	ActTrap        Action = 0x00030000
	ActErrno       Action = 0x00050000 // | errno
	ActNotify      Action = 0x7fc00000
	ActTrace       Action = 0x7ff00000 // | message
	ActLog         Action = 0x7ffc0000
	ActAllow       Action = 0x7fff0000

	// MaxErrno is the kernel's MAX_ERRNO; ERRNO data must stay below it.
	MaxErrno = 4095
)

// Attr identifies a filter attribute, numbered as libseccomp's enum
// scmp_filter_attr.
type Attr int

// Filter attributes.
const (
	AttrActDefault Attr = 1  // default action (read only)
	AttrActBadArch Attr = 2  // action for an architecture not in the filter
	AttrNNP        Attr = 3  // set no_new_privs on load
	AttrTSync      Attr = 4  // synchronise all threads on load
	AttrTSkip      Attr = 5  // allow rules for syscall -1
	AttrLog        Attr = 6  // log every action but ALLOW
	AttrSSB        Attr = 7  // disable speculative store bypass mitigation
	AttrOptimize   Attr = 8  // optimisation level, 1 or 2
	AttrRawRC      Attr = 9  // return system error codes unfiltered
	AttrWaitKill   Attr = 10 // wait killably for notification replies
)

// Filter flags of seccomp(2), as [Support.FlagSupported] takes them.
const (
	FlagTSync            uint = 1 << 0
	FlagLog              uint = 1 << 1
	FlagSpecAllow        uint = 1 << 2
	FlagNewListener      uint = 1 << 3
	FlagTSyncESRCH       uint = 1 << 4
	FlagWaitKillableRecv uint = 1 << 5
)

// Support tells the collection which kernel features exist, as
// libseccomp's sys_chk_seccomp_action and sys_chk_seccomp_flag do.
type Support interface {
	// ActionSupported reports whether the kernel offers the action
	// KILL_PROCESS, LOG or USER_NOTIF (the others are always checked by
	// the collection itself).
	ActionSupported(a Action) bool
	// FlagSupported reports whether the kernel offers a filter flag.
	FlagSupported(flag uint) bool
}

type allSupported struct{}

func (allSupported) ActionSupported(Action) bool { return true }
func (allSupported) FlagSupported(uint) bool     { return true }

// AllSupported is a [Support] that reports every feature as available.
var AllSupported Support = allSupported{}

type attrs struct {
	actDefault Action
	actBadArch Action
	nnp        uint32
	tsync      uint32
	tskip      uint32
	log        uint32
	ssb        uint32
	optimize   uint32
	rawRC      uint32
	waitKill   uint32
}

type snapshot struct {
	filters []*archDB
	shadow  bool
	user    bool
	// track, when not zero, is the collection's layout at the commit
	// that made this shadow snapshot: every database of the snapshot
	// was then a lazy copy of the collection's database at the same
	// index, with all of its rules. Rules that can't fail are added
	// without a transaction while the layout stays the same, so the
	// copies' rules lag behind and catchUp brings them level.
	track uint64
}

// Collection is a filter under construction: its attributes, one rule
// database per architecture and the transaction stack (libseccomp's
// db_filter_col). The zero value is not usable; call [New].
//
// Errors are syscall.Errno values, the codes libseccomp returns.
type Collection struct {
	native  *arch.Arch
	support Support
	attr    attrs
	filters []*archDB
	// layout changes whenever filters is given other databases.
	layout   uint64
	endian   int // 0 none yet, 1 little, 2 big
	snaps    []*snapshot
	notify   bool
	released bool
	gen      uint64
	// rules hands out the rules the collection keeps.
	rules blocks[rule]
	// st is the storage the collection's memory comes from and goes
	// back to on release, unless gaveAway: Merge moved its databases
	// into another collection.
	st       *storage
	gaveAway bool
	// eager makes every snapshot a built copy, as libseccomp's are; the
	// tests compare the lazy snapshots with these.
	eager bool

	// Warn, when set, is told about each rule that libseccomp's
	// semantics accept but that does not take effect as written.
	Warn func(Warning)
	// Strict makes AddRule refuse, with ErrIgnored, a rule that would
	// leave some architecture's filter unchanged.
	Strict bool
}

// New returns a collection with the default action def, libseccomp's
// default attributes and one database for the native ABI. support may be
// nil for [AllSupported]. It fails with EINVAL for an invalid action and
// when native is nil.
func New(def Action, native *arch.Arch, support Support) (*Collection, error) {
	if native == nil {
		return nil, syscall.EINVAL
	}
	if support == nil {
		support = AllSupported
	}
	c := &Collection{native: native, support: support, st: storagePool.Get().(*storage)}
	c.rules.pool = &c.st.ruleBlocks
	if err := c.actionValid(def, false); err != nil {
		return nil, err
	}
	c.reset(def)
	return c, nil
}

// filtersChanged records that filters was given other databases.
func (c *Collection) filtersChanged() {
	c.layout++
}

// nativeOnly reports whether the collection holds the native ABI's
// database alone, for an ABI that does not multiplex socket and IPC calls
// (see addNative).
func (c *Collection) nativeOnly() bool {
	return len(c.filters) == 1 && c.filters[0].arch == c.native && !c.native.Multiplexes
}

// newDB returns an empty database for the ABI, allocating from the
// collection's storage.
func (c *Collection) newDB(a *arch.Arch) *archDB {
	return &archDB{arch: a, native: c.native, alloc: newAllocator(c.st)}
}

// Native returns the ABI whose syscall numbers rules are given in.
func (c *Collection) Native() *arch.Arch { return c.native }

func endianOf(a *arch.Arch) int {
	if a.BigEndian {
		return 2
	}
	return 1
}

func (c *Collection) reset(def Action) {
	c.filters = nil
	c.endian = 0
	c.attr = attrs{
		actDefault: def,
		actBadArch: ActKillThread,
		nnp:        1,
		optimize:   1,
	}
	c.notify = def == ActNotify
	c.filters = []*archDB{c.newDB(c.native)}
	c.filtersChanged()
	c.endian = endianOf(c.native)
	c.snaps = nil
	c.gen++
}

// Reset drops every rule, architecture and transaction and restores the
// default attributes with the new default action, leaving the native
// ABI as the only one (seccomp_reset). An invalid action gives EINVAL.
func (c *Collection) Reset(def Action) error {
	if c.released {
		return syscall.EINVAL
	}
	if err := c.actionValid(def, false); err != nil {
		return err
	}
	c.reset(def)
	return nil
}

// Release makes the collection unusable.
func (c *Collection) Release() {
	if !c.released {
		c.recycle()
	}
	c.released = true
	c.filters = nil
	c.filtersChanged()
	c.snaps = nil
}

// Valid reports EINVAL when the collection was released or has no
// architecture, as libseccomp's db_col_valid.
func (c *Collection) Valid() error {
	if c == nil || c.released || len(c.filters) == 0 {
		return syscall.EINVAL
	}
	return nil
}

// Generation changes whenever the compiled program could change; callers
// can cache a program with the generation it was built at.
func (c *Collection) Generation() uint64 { return c.gen }

// NotifyUsed reports whether a rule or the default action uses
// USER_NOTIF, so that loading needs a listener.
func (c *Collection) NotifyUsed() bool { return c.notify }

// ActionValid checks an action as seccomp_rule_add does (EINVAL if the
// kernel lacks it, if ERRNO data is not below MaxErrno, or if it would
// combine USER_NOTIF with TSYNC on a kernel without TSYNC_ESRCH).
func (c *Collection) ActionValid(a Action) error { return c.actionValid(a, true) }

func (c *Collection) actionValid(a Action, withCol bool) error {
	switch {
	case a == ActAllow, a == ActKillThread, a == ActTrap:
		return nil
	case a == ActNotify && withCol && c.attr.tsync != 0 &&
		!c.support.FlagSupported(FlagTSyncESRCH):
		return syscall.EINVAL
	case a == ActKillProcess, a == ActLog, a == ActNotify:
		if c.support.ActionSupported(a) {
			return nil
		}
	case a&0xffff0000 == ActErrno:
		if a&0xffff < MaxErrno {
			return nil
		}
	case a&0xffff0000 == ActTrace:
		return nil
	}
	return syscall.EINVAL
}

// Arches returns the ABIs of the collection, in the order they were added.
func (c *Collection) Arches() []*arch.Arch {
	out := make([]*arch.Arch, len(c.filters))
	for i, f := range c.filters {
		out[i] = f.arch
	}
	return out
}

func (c *Collection) archIndex(a *arch.Arch) int {
	for i, f := range c.filters {
		if f.arch.ScmpToken == a.ScmpToken {
			return i
		}
	}
	return -1
}

// HasArch reports whether the ABI is in the collection.
func (c *Collection) HasArch(a *arch.Arch) bool { return c.archIndex(a) >= 0 }

// AddArch adds an empty database for the ABI (seccomp_arch_add): EEXIST
// if it is present, EDOM if its byte order differs from the ABIs already
// present. Existing rules are not copied to it.
func (c *Collection) AddArch(a *arch.Arch) error {
	if c.released || a == nil {
		return syscall.EINVAL
	}
	if c.HasArch(a) {
		return syscall.EEXIST
	}
	if c.endian != 0 && c.endian != endianOf(a) {
		return syscall.EDOM
	}
	c.filters = append(c.filters, c.newDB(a))
	c.filtersChanged()
	if c.endian == 0 {
		c.endian = endianOf(a)
	}
	c.gen++
	return nil
}

// RemoveArch removes the ABI's database (seccomp_arch_remove): EEXIST if
// it is not present. Removing the last ABI leaves a collection that
// refuses most operations with EINVAL until an ABI is added.
func (c *Collection) RemoveArch(a *arch.Arch) error {
	if c.released || a == nil {
		return syscall.EINVAL
	}
	i := c.archIndex(a)
	if i < 0 {
		return syscall.EEXIST
	}
	c.filters = append(c.filters[:i:i], c.filters[i+1:]...)
	c.filtersChanged()
	if len(c.filters) == 0 {
		c.endian = 0
	}
	c.gen++
	return nil
}

// AttrGet returns an attribute (seccomp_attr_get).
func (c *Collection) AttrGet(a Attr) (uint32, error) {
	if err := c.Valid(); err != nil {
		return 0, err
	}
	switch a {
	case AttrActDefault:
		return uint32(c.attr.actDefault), nil
	case AttrActBadArch:
		return uint32(c.attr.actBadArch), nil
	case AttrNNP:
		return c.attr.nnp, nil
	case AttrTSync:
		return c.attr.tsync, nil
	case AttrTSkip:
		return c.attr.tskip, nil
	case AttrLog:
		return c.attr.log, nil
	case AttrSSB:
		return c.attr.ssb, nil
	case AttrOptimize:
		return c.attr.optimize, nil
	case AttrRawRC:
		return c.attr.rawRC, nil
	case AttrWaitKill:
		return c.attr.waitKill, nil
	}
	return 0, syscall.EINVAL
}

// attrRead returns an attribute or zero, as db_col_attr_read.
func (c *Collection) attrRead(a Attr) uint32 {
	v, _ := c.AttrGet(a)
	return v
}

func b2u(v uint32) uint32 {
	if v != 0 {
		return 1
	}
	return 0
}

// AttrSet sets an attribute (seccomp_attr_set), with libseccomp 2.6.1's
// checks: the default action is read only (EACCES); the bad-arch action
// must be valid (EINVAL); TSYNC, LOG and SSB need the kernel flag
// (EOPNOTSUPP), and TSYNC can't join USER_NOTIF without TSYNC_ESRCH
// (EINVAL); the optimisation level must be 1 or 2 (EOPNOTSUPP); other
// attributes take any value, stored as 0 or 1.
func (c *Collection) AttrSet(a Attr, v uint32) error {
	if err := c.Valid(); err != nil {
		return err
	}
	switch a {
	case AttrActDefault:
		return syscall.EACCES
	case AttrActBadArch:
		if c.actionValid(Action(v), true) != nil {
			return syscall.EINVAL
		}
		c.attr.actBadArch = Action(v)
		c.gen++
	case AttrNNP:
		c.attr.nnp = b2u(v)
	case AttrTSync:
		if !c.support.FlagSupported(FlagTSync) {
			return syscall.EOPNOTSUPP
		}
		if !c.support.FlagSupported(FlagTSyncESRCH) && v != 0 && c.notify {
			return syscall.EINVAL
		}
		c.attr.tsync = b2u(v)
	case AttrTSkip:
		c.attr.tskip = b2u(v)
		c.gen++
	case AttrLog:
		if !c.support.FlagSupported(FlagLog) {
			return syscall.EOPNOTSUPP
		}
		c.attr.log = b2u(v)
	case AttrSSB:
		if !c.support.FlagSupported(FlagSpecAllow) {
			return syscall.EOPNOTSUPP
		}
		c.attr.ssb = b2u(v)
	case AttrOptimize:
		c.gen++
		if v != 1 && v != 2 {
			return syscall.EOPNOTSUPP
		}
		c.attr.optimize = v
	case AttrRawRC:
		c.attr.rawRC = b2u(v)
	case AttrWaitKill:
		c.attr.waitKill = b2u(v)
	default:
		return syscall.EINVAL
	}
	return nil
}

// Default returns the default action.
func (c *Collection) Default() Action { return c.attr.actDefault }

// BadArch returns the action for architectures not in the filter.
func (c *Collection) BadArch() Action { return c.attr.actBadArch }

// Merge moves every ABI of src into c (seccomp_merge): EINVAL if either is
// invalid or their default action, NO_NEW_PRIVS or TSYNC attributes
// differ, EDOM if their byte orders differ, EEXIST if they share an ABI.
// On success src is released.
func (c *Collection) Merge(src *Collection) error {
	if c.Valid() != nil || src.Valid() != nil {
		return syscall.EINVAL
	}
	if c.attr.actDefault != src.attr.actDefault ||
		c.attr.nnp != src.attr.nnp || c.attr.tsync != src.attr.tsync {
		return syscall.EINVAL
	}
	if c.endian != src.endian {
		return syscall.EDOM
	}
	for _, d := range c.filters {
		for _, s := range src.filters {
			if d.arch.ScmpToken == s.arch.ScmpToken {
				return syscall.EEXIST
			}
		}
	}
	c.filters = append(c.filters, src.filters...)
	c.filtersChanged()
	c.gen++
	if src.notify {
		c.notify = true
	}
	src.filters = nil
	src.gaveAway = true
	src.Release()
	return nil
}
