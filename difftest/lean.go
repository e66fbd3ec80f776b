package difftest

import (
	"fmt"

	lib "github.com/seccomp/libseccomp-golang"
)

// LeanLibFilter makes rs's calls through libseccomp at optimisation level,
// as newLibFilter does, but without recording the verdicts of the calls,
// so that the build benchmarks time the library alone, as runc makes
// them. Only the calls Translate makes are supported.
func LeanLibFilter(rs *RuleSet, level int) (*lib.ScmpFilter, error) {
	f, err := lib.NewFilter(libAction(rs.Default))
	if err != nil {
		return nil, err
	}
	native := false
	for _, name := range rs.Arches {
		native = native || name == NativeArch
		a, err := lib.GetArchFromString(name)
		if err == nil {
			err = f.AddArch(a)
		}
		if err != nil {
			f.Release()
			return nil, fmt.Errorf("AddArch %s: %w", name, err)
		}
	}
	if !native {
		if err := f.RemoveArch(lib.ArchAMD64); err != nil {
			f.Release()
			return nil, err
		}
	}
	if err := f.SetOptimize(level); err != nil {
		f.Release()
		return nil, err
	}
	for _, c := range rs.Calls {
		nr, err := lib.GetSyscallFromName(c.Name)
		if err == nil {
			switch c.Kind {
			case CallAddRule:
				err = f.AddRule(nr, libAction(c.Action))
			case CallAddRuleConditional:
				err = f.AddRuleConditional(nr, libAction(c.Action), libConds(c.Conds))
			default:
				err = fmt.Errorf("unsupported call")
			}
		}
		if err != nil {
			f.Release()
			return nil, fmt.Errorf("%v: %w", c, err)
		}
	}
	return f, nil
}
