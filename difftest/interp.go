package difftest

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// insn is a classic BPF instruction (struct sock_filter).
type insn struct {
	op     uint16
	jt, jf uint8
	k      uint32
}

// decode splits a raw little-endian sock_filter array.
func decode(b []byte) ([]insn, error) {
	if len(b)%8 != 0 {
		return nil, fmt.Errorf("program length %d is not a multiple of 8", len(b))
	}
	p := make([]insn, len(b)/8)
	for i := range p {
		r := b[8*i:]
		p[i] = insn{binary.LittleEndian.Uint16(r), r[2], r[3], binary.LittleEndian.Uint32(r[4:])}
	}
	return p, nil
}

// Data is struct seccomp_data.
type Data struct {
	Nr   int32
	Arch uint32
	IP   uint64
	Args [6]uint64
}

// word returns the 32-bit word of d at byte offset off, laid out in
// little-endian order as on every architecture compared here.
func (d *Data) word(off uint32) (uint32, bool) {
	switch {
	case off == 0:
		return uint32(d.Nr), true
	case off == 4:
		return d.Arch, true
	case off == 8:
		return uint32(d.IP), true
	case off == 12:
		return uint32(d.IP >> 32), true
	case off >= 16 && off < 64 && off%4 == 0:
		a := d.Args[(off-16)/8]
		if (off-16)%8 == 0 {
			return uint32(a), true
		}
		return uint32(a >> 32), true
	}
	return 0, false
}

var errBadInsn = errors.New("bad instruction")

// refRun is a small, independent classic BPF interpreter used to
// cross-check the project's interpreter on the programs libseccomp
// exports. It returns the filter's return value and the number of
// instructions executed.
func refRun(p []insn, d *Data) (uint32, int, error) {
	var a, x uint32
	var mem [16]uint32
	steps := 0
	for pc := 0; pc < len(p); pc++ {
		in := p[pc]
		steps++
		switch in.op {
		case 0x20: // ld [k]
			w, ok := d.word(in.k)
			if !ok {
				return 0, steps, fmt.Errorf("pc %d: load offset %d: %w", pc, in.k, errBadInsn)
			}
			a = w
		case 0x80: // ld len
			a = 64
		case 0x00: // ld #k
			a = in.k
		case 0x01: // ldx #k
			x = in.k
		case 0x81: // ldx len
			x = 64
		case 0x60: // ld M[k]
			a = mem[in.k&15]
		case 0x61: // ldx M[k]
			x = mem[in.k&15]
		case 0x02: // st
			mem[in.k&15] = a
		case 0x03: // stx
			mem[in.k&15] = x
		case 0x07: // tax
			x = a
		case 0x87: // txa
			a = x
		case 0x06: // ret k
			return in.k, steps, nil
		case 0x16: // ret a
			return a, steps, nil
		case 0x05: // ja
			pc += int(in.k)
		default:
			cls := in.op & 7
			src := in.k
			if in.op&0x08 != 0 {
				src = x
			}
			switch cls {
			case 0x04: // alu
				switch in.op & 0xf0 {
				case 0x00:
					a += src
				case 0x10:
					a -= src
				case 0x20:
					a *= src
				case 0x30:
					if src == 0 {
						return 0, steps, errors.New("division by zero")
					}
					a /= src
				case 0x40:
					a |= src
				case 0x50:
					a &= src
				case 0x60:
					a <<= src & 31
				case 0x70:
					a >>= src & 31
				case 0x80:
					a = -a
				case 0x90:
					if src == 0 {
						return 0, steps, errors.New("modulo by zero")
					}
					a %= src
				case 0xa0:
					a ^= src
				default:
					return 0, steps, fmt.Errorf("pc %d op %#x: %w", pc, in.op, errBadInsn)
				}
			case 0x05: // jmp
				t, ok := jumpTaken(in.op, a, src)
				if !ok {
					return 0, steps, fmt.Errorf("pc %d op %#x: %w", pc, in.op, errBadInsn)
				}
				if t {
					pc += int(in.jt)
				} else {
					pc += int(in.jf)
				}
			default:
				return 0, steps, fmt.Errorf("pc %d op %#x: %w", pc, in.op, errBadInsn)
			}
		}
	}
	return 0, steps, errors.New("fell off the end of the program")
}

// jumpTaken reports whether the conditional jump op takes its true branch
// with a in the accumulator and src as its operand; ok is false for an
// operation that is no conditional jump.
func jumpTaken(op uint16, a, src uint32) (t, ok bool) {
	switch op & 0xf0 {
	case 0x10:
		return a == src, true
	case 0x20:
		return a > src, true
	case 0x30:
		return a >= src, true
	case 0x40:
		return a&src != 0, true
	}
	return false, false
}
