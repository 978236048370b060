package sc.fiji.stylecrafter.io;

import java.util.List;

/** The Python values a pickle can produce that have no plain Java counterpart. Data only; nothing here runs code. */
final class PickleObjects {

	private PickleObjects() {}

	/** A Python tuple. */
	record PyTuple(List<Object> items) {

		int size() {
			return items.size();
		}

		Object get(int i) {
			return items.get(i);
		}
	}

	/** A reference to {@code module.name} that the allow-list did not resolve. */
	record PyGlobal(String module, String name) {

		@Override
		public String toString() {
			return module + "." + name;
		}
	}

	/**
	 * What calling or instantiating a {@link PyGlobal} would have produced: kept inert, with its arguments and state,
	 * so that entries nobody asked for (a Lightning checkpoint's callbacks, hyper-parameters) do not stop a load.
	 */
	record Opaque(PyGlobal global, Object args, List<Object> state) {}
}
