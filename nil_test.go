package seccomp

import (
	"errors"
	"reflect"
	"testing"
)

// TestNilFilter calls every exported method on a nil *ScmpFilter: none may
// panic, each must give the results it gives for a released filter, and
// each with an error result must return an error.
func TestNilFilter(t *testing.T) {
	typ := reflect.TypeOf((*ScmpFilter)(nil))
	if typ.NumMethod() == 0 {
		t.Fatal("no exported methods")
	}
	errType := reflect.TypeOf((*error)(nil)).Elem()
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		t.Run(m.Name, func(t *testing.T) {
			// args returns arguments a valid filter would accept, so
			// that only the receiver can be wrong.
			args := func() []reflect.Value {
				in := make([]reflect.Value, m.Type.NumIn()-1)
				for j := range in {
					switch pt := m.Type.In(j + 1); pt {
					case reflect.TypeOf(ActAllow):
						in[j] = reflect.ValueOf(ActTrap)
					case reflect.TypeOf(ArchNative):
						in[j] = reflect.ValueOf(ArchNative)
					case typ:
						in[j] = reflect.ValueOf(newFilter(t, ActAllow))
					default:
						in[j] = reflect.Zero(pt)
					}
				}
				return in
			}
			call := func(recv *ScmpFilter, in []reflect.Value) (out []reflect.Value) {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("%s panics: %v", m.Name, r)
					}
				}()
				return m.Func.Call(append([]reflect.Value{reflect.ValueOf(recv)}, in...))
			}
			nilIn := args()
			got := call(nil, nilIn)
			released := newFilter(t, ActAllow)
			released.Release()
			want := call(released, args())
			for j, v := range got {
				if m.Type.Out(j) == errType {
					err, _ := v.Interface().(error)
					if err == nil {
						t.Errorf("%s on a nil filter returns no error", m.Name)
					}
					werr, _ := want[j].Interface().(error)
					if werr == nil || err == nil || err.Error() != werr.Error() {
						t.Errorf("%s: error %v on a nil filter, %v on a released one", m.Name, err, werr)
					}
					continue
				}
				if !reflect.DeepEqual(v.Interface(), want[j].Interface()) {
					t.Errorf("%s: result %d is %v on a nil filter, %v on a released one", m.Name, j, v, want[j])
				}
			}
			// A filter argument is left as it was.
			for _, a := range nilIn {
				if f, ok := a.Interface().(*ScmpFilter); ok && !f.IsValid() {
					t.Errorf("%s on a nil filter released its argument", m.Name)
				}
			}
		})
	}
}

// TestNilFilterErrors checks the error of a nil filter for the methods of
// each kind.
func TestNilFilterErrors(t *testing.T) {
	var f *ScmpFilter
	for name, err := range map[string]error{
		"AddRule":          f.AddRule(1, ActAllow),
		"SetBadArchAction": f.SetBadArchAction(ActAllow),
		"Load":             f.Load(),
		"AddArch":          f.AddArch(ArchNative),
	} {
		if !errors.Is(err, errBadFilter) {
			t.Errorf("%s: %v, want %v", name, err, errBadFilter)
		}
	}
	if f.IsValid() {
		t.Error("nil filter valid")
	}
}
