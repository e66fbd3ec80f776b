package difftest

import "encoding/binary"

// byteSource hands out choices from fuzz input; once the input is used up
// every choice is 0.
type byteSource struct{ b []byte }

func (s *byteSource) done() bool { return len(s.b) == 0 }

func (s *byteSource) intn(n int) int {
	if len(s.b) == 0 || n <= 1 {
		return 0
	}
	v := int(s.b[0])
	s.b = s.b[1:]
	if n > 256 {
		v = v<<8 | s.intn(256)
	}
	return v % n
}

func (s *byteSource) u64() uint64 {
	var buf [8]byte
	n := copy(buf[:], s.b)
	s.b = s.b[n:]
	return binary.LittleEndian.Uint64(buf[:])
}

// RuleSetFromBytes decodes arbitrary bytes into a rule set, so that a
// fuzzer can explore rule sets. Every input gives a valid description;
// the calls in it may be invalid on purpose.
func RuleSetFromBytes(b []byte) *RuleSet {
	s := &byteSource{b}
	rs := &RuleSet{Name: "fuzz"}
	rs.Default = Action{Kind: defaultKinds[s.intn(len(defaultKinds))], Data: dataPool[s.intn(len(dataPool))]}
	if rs.Default.Kind != ActErrno && rs.Default.Kind != ActTrace {
		rs.Default.Data = 0
	}
	nArch := 1 + s.intn(3)
	seen := map[string]bool{}
	for range nArch {
		a := LittleEndianArches[s.intn(len(LittleEndianArches))]
		if !seen[a] {
			seen[a] = true
			rs.Arches = append(rs.Arches, a)
		}
	}
	consts := []uint64{s.u64(), uint64(s.intn(256)), 0xffffffff, 0x100000000}
	konst := func() uint64 {
		switch k := s.intn(8); {
		case k < 4:
			return consts[k]
		case k == 4:
			return consts[0] + uint64(s.intn(3)) - 1
		default:
			return uint64(s.intn(1 << 16))
		}
	}
	for i := 0; i < 32 && !s.done(); i++ {
		c := Call{Name: namePool[s.intn(len(namePool))]}
		switch k := s.intn(17); {
		case k == 16:
			c.Kind = []CallKind{CallAddArch, CallRemoveArch}[s.intn(2)]
			c.Arch = LittleEndianArches[s.intn(len(LittleEndianArches))]
		case k == 0:
			c.Kind = CallSetSyscallPriority
			c.Priority = uint8(s.intn(256))
		case k == 1:
			c.Kind = CallSetBadArchAction
			c.Action = Action{Kind: uint(s.intn(10)), Data: int16(s.intn(1 << 16))}
		case k == 2:
			c.Kind = CallSetOptimize
			c.Level = s.intn(4)
		case k == 3:
			c.Name = ""
			c.Num = int32(s.u64())
			c.Kind = CallAddRule
			c.Action = Action{Kind: ruleKinds[s.intn(len(ruleKinds))]}
		default:
			c.Kind = []CallKind{CallAddRule, CallAddRuleExact, CallAddRuleConditional, CallAddRuleConditionalExact}[s.intn(4)]
			c.Action = Action{Kind: ruleKinds[s.intn(len(ruleKinds))], Data: dataPool[s.intn(len(dataPool))]}
			if s.intn(8) == 0 {
				c.Action = rs.Default
			}
			if c.Kind == CallAddRuleConditional || c.Kind == CallAddRuleConditionalExact {
				for range s.intn(4) {
					cd := Cond{Arg: uint(s.intn(7)), Op: uint(s.intn(9)), A: konst()}
					if cd.Op == 7 {
						cd.B = konst()
					}
					c.Conds = append(c.Conds, cd)
				}
			}
		}
		rs.Calls = append(rs.Calls, c)
	}
	return rs
}
