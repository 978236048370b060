package sc.fiji.stylecrafter.io;

import java.math.BigInteger;
import java.util.List;

/** The Python values a pickle can produce that have no plain Java counterpart. Data only; nothing here runs code. */
final class PickleObjects {

	/** How much of a value an error message shows. */
	private static final int SHOWN_CHARS = 120;

	private PickleObjects() {}

	/** A Python tuple. Printed briefly: its items may nest as deep as the file likes. */
	record PyTuple(List<Object> items) {

		int size() {
			return items.size();
		}

		Object get(int i) {
			return items.get(i);
		}

		@Override
		public String toString() {
			return describe(this);
		}
	}

	/** A reference to {@code module.name} that the allow-list did not resolve. */
	record PyGlobal(String module, String name) {

		@Override
		public String toString() {
			return clip(module) + "." + clip(name);
		}
	}

	/**
	 * What calling or instantiating a {@link PyGlobal} would have produced: kept inert, with its arguments and state,
	 * so that entries nobody asked for (a Lightning checkpoint's callbacks, hyper-parameters) do not stop a load.
	 * Compared by identity, as Python objects are by default (its state changes after it is made).
	 */
	static final class Opaque {

		private final PyGlobal global;
		private final Object args;
		private final List<Object> state;

		Opaque(PyGlobal global, Object args, List<Object> state) {
			this.global = global;
			this.args = args;
			this.state = state;
		}

		PyGlobal global() {
			return global;
		}

		Object args() {
			return args;
		}

		List<Object> state() {
			return state;
		}

		@Override
		public String toString() {
			return global + "(...)";
		}
	}

	/**
	 * True if {@code o} may key a dict: a string, number, boolean, None, global or opaque object, or a tuple of those.
	 * Hashing such a key never walks a structure the file controls (a list used as a key, or tuples nested thousands
	 * deep, would make hashing recurse until the stack overflows).
	 */
	static boolean isKey(Object o) {
		if (o instanceof PyTuple) {
			for (Object item : ((PyTuple) o).items()) if (!isScalarKey(item)) return false;
			return true;
		}
		return isScalarKey(o);
	}

	private static boolean isScalarKey(Object o) {
		return o == null || o instanceof String || o instanceof Long || o instanceof BigInteger || o instanceof Double || o instanceof Boolean
			|| o instanceof PyGlobal || o instanceof Opaque;
	}

	/** A short description of any value, for error messages: type names inside containers, never their contents. */
	static String describe(Object o) {
		if (o instanceof PyTuple) {
			StringBuilder sb = new StringBuilder("(");
			for (Object item : ((PyTuple) o).items()) {
				if (sb.length() > SHOWN_CHARS) return sb.append("...)").toString();
				if (sb.length() > 1) sb.append(", ");
				sb.append(item instanceof String || item instanceof Long ? clip(String.valueOf(item)) : Unpickler.typeName(item));
			}
			return sb.append(')').toString();
		}
		return o instanceof String || o instanceof Long || o instanceof PyGlobal ? clip(String.valueOf(o)) : Unpickler.typeName(o);
	}

	/** {@code s}, cut to a length fit for a message. */
	static String clip(String s) {
		return s.length() <= SHOWN_CHARS ? s : s.substring(0, SHOWN_CHARS) + "...(" + s.length() + " chars)";
	}
}
