package difftest

import "fmt"

// Metrics are the size and speed of one program on a probe set, as the
// interpreter counts them.
type Metrics struct {
	Insns int
	// AllowedMean is the mean number of instructions executed over the
	// syscall-number probes (all arguments 0) whose result is ALLOW; Mean
	// is over all of them; Max is over them and the argument probes.
	AllowedMean, Mean float64
	Max               int
}

func (m Metrics) String() string {
	return fmt.Sprintf("%d insns, mean steps %.2f over allowed, %.2f over all, max %d", m.Insns, m.AllowedMean, m.Mean, m.Max)
}

// StepProbes returns the probes of the performance targets for a filter
// with the given architectures: every syscall number -1..1023 on each of
// them with all arguments 0, the x32 numbers 0x40000000..0x400003ff when
// x86_64 is present, and -1..1023 on AUDIT_ARCH_AARCH64 as a foreign
// architecture; then, after the first nrOnly probes, argument vectors
// built from the rule set's constants (each constant, ±1, and with the
// high word set) on the syscalls the rules name.
func StepProbes(rs *RuleSet, arches []string) (probes []Data, nrOnly int) {
	seen := map[uint32]bool{}
	add := func(token uint32, base int32) {
		for nr := base - 1; nr < base+1024; nr++ {
			if nr == base-1 && base != 0 {
				continue
			}
			probes = append(probes, Data{Nr: nr, Arch: token})
		}
	}
	for _, a := range arches {
		info := archInfos[a]
		if !seen[info.token] {
			seen[info.token] = true
			add(info.token, 0)
			if info.token == 0xc000003e {
				add(info.token, 0x40000000)
			}
		}
		if info.base != 0 && info.base != 0x40000000 {
			add(info.token, info.base)
		}
	}
	add(0xc00000b7, 0)
	nrOnly = len(probes)
	for _, c := range rs.Calls {
		if !c.isRule() || len(c.Conds) == 0 {
			continue
		}
		for _, a := range arches {
			nr, err := LibResolveArch(nameOf(c), a)
			if err != nil || nr < 0 {
				continue
			}
			for _, cd := range c.Conds {
				for _, k := range []uint64{cd.A, cd.B} {
					for _, v := range []uint64{k, k + 1, k - 1, k | 0xffffffff00000000} {
						d := Data{Nr: nr, Arch: archInfos[a].token}
						d.Args[cd.Arg%6] = v
						probes = append(probes, d)
					}
				}
			}
		}
	}
	return probes, nrOnly
}

// Measure runs prog on the probes.
func Measure(prog []byte, probes []Data, nrOnly int) (Metrics, error) {
	m := Metrics{Insns: len(prog) / 8}
	run, err := BPFRunner(prog)
	if err != nil {
		return m, err
	}
	var allowed, allowedSteps, allSteps int
	for i := range probes {
		ret, steps, err := run(&probes[i])
		if err != nil {
			return m, err
		}
		if steps > m.Max {
			m.Max = steps
		}
		if i >= nrOnly {
			continue
		}
		allSteps += steps
		if ret == 0x7fff0000 {
			allowed++
			allowedSteps += steps
		}
	}
	if allowed > 0 {
		m.AllowedMean = float64(allowedSteps) / float64(allowed)
	}
	m.Mean = float64(allSteps) / float64(nrOnly)
	return m, nil
}
