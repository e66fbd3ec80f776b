package difftest

// Minimize shrinks a failing rule set: it drops calls, conditions and
// architectures one at a time while fails keeps returning true, and returns
// the smallest rule set found.
func Minimize(rs *RuleSet, fails func(*RuleSet) bool) *RuleSet {
	budget := 3000 // calls of fails; large rule sets shrink only partly
	inner := fails
	fails = func(x *RuleSet) bool {
		if budget <= 0 {
			return false
		}
		budget--
		return inner(x)
	}
	cur := clone(rs)
	for changed := true; changed; {
		changed = false
		for i := 0; i < len(cur.Calls); i++ {
			next := clone(cur)
			next.Calls = append(next.Calls[:i], next.Calls[i+1:]...)
			if fails(next) {
				cur, changed = next, true
				i--
			}
		}
		for i := range cur.Calls {
			for j := 0; j < len(cur.Calls[i].Conds); j++ {
				next := clone(cur)
				c := &next.Calls[i]
				c.Conds = append(c.Conds[:j], c.Conds[j+1:]...)
				if fails(next) {
					cur, changed = next, true
					j--
				}
			}
		}
		for i := 0; i < len(cur.Arches) && len(cur.Arches) > 1; i++ {
			next := clone(cur)
			next.Arches = append(next.Arches[:i], next.Arches[i+1:]...)
			if fails(next) {
				cur, changed = next, true
				i--
			}
		}
	}
	cur.Name = rs.Name + " (minimised)"
	return cur
}

func clone(rs *RuleSet) *RuleSet {
	out := *rs
	out.Arches = append([]string(nil), rs.Arches...)
	out.Calls = make([]Call, len(rs.Calls))
	for i, c := range rs.Calls {
		c.Conds = append([]Cond(nil), c.Conds...)
		out.Calls[i] = c
	}
	return &out
}
