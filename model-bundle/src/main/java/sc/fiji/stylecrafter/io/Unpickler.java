package sc.fiji.stylecrafter.io;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import sc.fiji.stylecrafter.io.PickleObjects.PyTuple;

/**
 * A pickle reader for data, not code: it implements the opcodes that {@code torch.save} and plain Python containers
 * need (protocols 2 to 5) and hands every global, call, build and persistent id to a {@link Handler} that decides what
 * is allowed. Lengths and counts are checked against the bytes that remain before anything is allocated.
 */
final class Unpickler {

	/** Decides what globals resolve to and what calls on them produce. */
	interface Handler {

		/** Resolves {@code module.name}; throws for what must never be resolved. */
		Object global(String module, String name) throws CheckpointFormatException;

		/** Applies a resolved global to its arguments (REDUCE, NEWOBJ). */
		Object call(Object callable, PyTuple args) throws CheckpointFormatException;

		/** Applies BUILD state to an object; returns the object to keep on the stack. */
		Object build(Object obj, Object state) throws CheckpointFormatException;

		/** Resolves a persistent id (torch storages). */
		Object persistentLoad(Object pid) throws CheckpointFormatException;
	}

	/**
	 * At most this many values pushed in one pickle (new objects, memo and DUP references alike): bounds the heap a
	 * hostile file can fill to about 100 MB. The official model.ckpt pushes 33,000.
	 */
	static final int MAX_VALUES = 2_000_000;
	/** At most this many memo entries (the official model.ckpt stores 12,500). */
	static final int MAX_MEMO = 1_000_000;
	/** Integers longer than this many bytes are refused (weight files hold none over 8; Python's LONG1 allows 255). */
	static final int MAX_INT_BYTES = 64;

	private final ByteBuffer in;
	private final Handler handler;
	private final String what;
	private final List<Object> stack = new ArrayList<>();
	private final List<Integer> marks = new ArrayList<>();
	private final Map<Long, Object> memo = new HashMap<>();
	private int pushes;
	private int opStart;

	Unpickler(ByteBuffer data, Handler handler, String what) {
		this.in = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
		this.handler = handler;
		this.what = what;
	}

	Object load() throws CheckpointFormatException {
		try {
			return run();
		}
		catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
			throw error("pickle ends early (truncated or corrupt)");
		}
		catch (ClassCastException e) {
			throw error("pickle has a value of the wrong kind where a container was expected");
		}
		catch (NumberFormatException e) {
			throw error("pickle has a malformed number (" + e.getMessage() + ")");
		}
	}

	private Object run() throws CheckpointFormatException {
		while (true) {
			if (!in.hasRemaining()) throw error("pickle has no STOP opcode (truncated)");
			int pos = in.position();
			opStart = pos;
			int op = in.get() & 0xFF;
			switch (op) {
				case 0x80: { // PROTO
					int proto = in.get() & 0xFF;
					if (proto > 5) throw error("unsupported pickle protocol " + proto);
					break;
				}
				case 0x95: in.getLong(); break; // FRAME: framing is only a hint
				case '.': { // STOP
					if (stack.size() != 1) throw error("pickle stack holds " + stack.size() + " values at STOP");
					return stack.get(0);
				}
				case '(': marks.add(stack.size()); break; // MARK
				case '0': pop(); break; // POP
				case '1': popMark(); break; // POP_MARK
				case '2': push(peek()); break; // DUP
				case 'N': push(null); break;
				case 0x88: push(Boolean.TRUE); break;
				case 0x89: push(Boolean.FALSE); break;
				case 'J': push((long) in.getInt()); break; // BININT
				case 'K': push((long) (in.get() & 0xFF)); break; // BININT1
				case 'M': push((long) (in.getShort() & 0xFFFF)); break; // BININT2
				case 0x8a: push(readLong(in.get() & 0xFF)); break; // LONG1
				case 0x8b: push(readLong(checkedLength(in.getInt()))); break; // LONG4
				case 'I': push(parseIntLine()); break; // INT (text)
				case 'L': push(parseLongLine()); break; // LONG (text)
				case 'G': push(in.order(ByteOrder.BIG_ENDIAN).getDouble()); in.order(ByteOrder.LITTLE_ENDIAN); break; // BINFLOAT
				case 'F': push(parseFloatLine()); break; // FLOAT (text)
				case 'X': push(readString(checkedLength(in.getInt()))); break; // BINUNICODE
				case 0x8c: push(readString(in.get() & 0xFF)); break; // SHORT_BINUNICODE
				case 0x8d: push(readString(checkedLength(in.getLong()))); break; // BINUNICODE8
				case 'T': push(readString(checkedLength(in.getInt()))); break; // BINSTRING (py2 str)
				case 'U': push(readString(in.get() & 0xFF)); break; // SHORT_BINSTRING
				case 'B': push(readBytes(checkedLength(in.getInt()))); break; // BINBYTES
				case 'C': push(readBytes(in.get() & 0xFF)); break; // SHORT_BINBYTES
				case 0x8e: push(readBytes(checkedLength(in.getLong()))); break; // BINBYTES8
				case 0x96: push(readBytes(checkedLength(in.getLong()))); break; // BYTEARRAY8
				case ']': push(new ArrayList<>()); break; // EMPTY_LIST
				case 'l': push(new ArrayList<>(popMark())); break; // LIST
				case 'a': { Object v = pop(); list(peek()).add(v); break; } // APPEND
				case 'e': { List<Object> items = popMark(); list(peek()).addAll(items); break; } // APPENDS
				case ')': push(new PyTuple(List.of())); break; // EMPTY_TUPLE
				case 't': push(tuple(popMark())); break; // TUPLE
				case 0x85: push(tuple(popN(1))); break; // TUPLE1
				case 0x86: push(tuple(popN(2))); break; // TUPLE2
				case 0x87: push(tuple(popN(3))); break; // TUPLE3
				case '}': push(new LinkedHashMap<>()); break; // EMPTY_DICT
				case 'd': { // DICT
					List<Object> items = popMark();
					push(pairs(new LinkedHashMap<>(), items));
					break;
				}
				case 's': { Object v = pop(); Object k = pop(); dict(peek()).put(key(k), v); break; } // SETITEM
				case 'u': { List<Object> items = popMark(); pairs(dict(peek()), items); break; } // SETITEMS
				case 0x8f: push(new ArrayList<>()); break; // EMPTY_SET (kept as a list)
				case 0x90: { List<Object> items = popMark(); list(peek()).addAll(items); break; } // ADDITEMS
				case 0x91: push(new ArrayList<>(popMark())); break; // FROZENSET
				case 'c': { // GLOBAL
					String module = readLine();
					String name = readLine();
					push(handler.global(module, name));
					break;
				}
				case 0x93: { // STACK_GLOBAL
					Object name = pop(), module = pop();
					if (!(module instanceof String) || !(name instanceof String)) throw error("STACK_GLOBAL needs two strings");
					push(handler.global((String) module, (String) name));
					break;
				}
				case 'R': { // REDUCE
					Object args = pop();
					Object callable = pop();
					if (!(args instanceof PyTuple)) throw error("REDUCE arguments are not a tuple");
					push(handler.call(callable, (PyTuple) args));
					break;
				}
				case 0x81: { // NEWOBJ
					Object args = pop();
					Object cls = pop();
					if (!(args instanceof PyTuple)) throw error("NEWOBJ arguments are not a tuple");
					push(handler.call(cls, (PyTuple) args));
					break;
				}
				case 0x92: { // NEWOBJ_EX
					pop(); // kwargs
					Object args = pop();
					Object cls = pop();
					if (!(args instanceof PyTuple)) throw error("NEWOBJ_EX arguments are not a tuple");
					push(handler.call(cls, (PyTuple) args));
					break;
				}
				case 'b': { // BUILD
					Object state = pop();
					Object obj = pop();
					push(handler.build(obj, state));
					break;
				}
				case 'Q': push(handler.persistentLoad(pop())); break; // BINPERSID
				case 'P': push(handler.persistentLoad(readLine())); break; // PERSID
				case 'q': memoPut(in.get() & 0xFF); break; // BINPUT
				case 'r': memoPut(Integer.toUnsignedLong(in.getInt())); break; // LONG_BINPUT
				case 'p': memoPut(parseIndexLine()); break; // PUT
				case 0x94: memoPut(memo.size()); break; // MEMOIZE
				case 'h': push(memoGet(in.get() & 0xFF)); break; // BINGET
				case 'j': push(memoGet(Integer.toUnsignedLong(in.getInt()))); break; // LONG_BINGET
				case 'g': push(memoGet(parseIndexLine())); break; // GET
				default:
					throw error(String.format("opcode 0x%02x ('%s') is not allowed in a weight file", op,
						op >= 32 && op < 127 ? Character.toString((char) op) : "?"));
			}
		}
	}

	/** Every parse error names the file and the byte offset of the opcode in {@code data.pkl}. */
	private CheckpointFormatException error(String message) {
		return new CheckpointFormatException(what + ": " + message + " (at byte " + opStart + ")");
	}

	private void push(Object o) throws CheckpointFormatException {
		if (++pushes > MAX_VALUES) throw error("pickle pushes more than " + MAX_VALUES + " values; no weight file needs that many");
		stack.add(o);
	}

	private Object pop() throws CheckpointFormatException {
		if (stack.isEmpty() || (!marks.isEmpty() && marks.get(marks.size() - 1) == stack.size())) throw error("pickle stack underflow");
		return stack.remove(stack.size() - 1);
	}

	private Object peek() throws CheckpointFormatException {
		if (stack.isEmpty()) throw error("pickle stack underflow");
		return stack.get(stack.size() - 1);
	}

	private List<Object> popN(int n) throws CheckpointFormatException {
		Object[] items = new Object[n];
		for (int i = n - 1; i >= 0; i--) items[i] = pop();
		return Arrays.asList(items);
	}

	private List<Object> popMark() throws CheckpointFormatException {
		if (marks.isEmpty()) throw error("pickle has no MARK to pop to");
		int m = marks.remove(marks.size() - 1);
		List<Object> sub = new ArrayList<>(stack.subList(m, stack.size()));
		stack.subList(m, stack.size()).clear();
		return sub;
	}

	private static PyTuple tuple(List<Object> items) {
		return new PyTuple(java.util.Collections.unmodifiableList(new ArrayList<>(items)));
	}

	@SuppressWarnings("unchecked")
	private List<Object> list(Object o) throws CheckpointFormatException {
		if (o instanceof List) return (List<Object>) o;
		throw error("APPEND on a " + typeName(o) + ", not a list");
	}

	@SuppressWarnings("unchecked")
	private Map<Object, Object> dict(Object o) throws CheckpointFormatException {
		if (o instanceof Map) return (Map<Object, Object>) o;
		throw error("SETITEM on a " + typeName(o) + ", not a dict");
	}

	private Map<Object, Object> pairs(Map<Object, Object> d, List<Object> items) throws CheckpointFormatException {
		if (items.size() % 2 != 0) throw error("odd number of items for a dict");
		for (int i = 0; i < items.size(); i += 2) d.put(key(items.get(i)), items.get(i + 1));
		return d;
	}

	/** Dict keys must be hashable without walking a structure the file controls (see {@link PickleObjects#isKey}). */
	private Object key(Object k) throws CheckpointFormatException {
		if (!PickleObjects.isKey(k)) throw error("a dict key is a " + typeName(k) + "; weight files key dicts by strings, numbers or flat tuples");
		return k;
	}

	static String typeName(Object o) {
		return o == null ? "None" : o.getClass().getSimpleName();
	}

	private void memoPut(long index) throws CheckpointFormatException {
		if (memo.size() >= MAX_MEMO) throw error("pickle memo exceeds " + MAX_MEMO + " entries");
		memo.put(index, peek());
	}

	private Object memoGet(long index) throws CheckpointFormatException {
		if (!memo.containsKey(index)) throw error("pickle refers to memo entry " + index + " that was never stored");
		return memo.get(index);
	}

	private int checkedLength(long n) throws CheckpointFormatException {
		if (n < 0 || n > in.remaining()) {
			throw error("declared length " + n + " exceeds the " + in.remaining() + " bytes left in the pickle");
		}
		return (int) n;
	}

	private String readString(int n) throws CheckpointFormatException {
		return new String(readBytes(checkedLength(n)), StandardCharsets.UTF_8);
	}

	private byte[] readBytes(int n) throws CheckpointFormatException {
		byte[] b = new byte[checkedLength(n)];
		in.get(b);
		return b;
	}

	private Object readLong(int n) throws CheckpointFormatException {
		if (n > MAX_INT_BYTES) throw error("integer of " + n + " bytes; at most " + MAX_INT_BYTES + " are allowed");
		byte[] le = readBytes(n);
		if (n == 0) return 0L;
		byte[] be = new byte[n];
		for (int i = 0; i < n; i++) be[i] = le[n - 1 - i];
		BigInteger v = new BigInteger(be);
		return v.bitLength() < 64 ? (Object) v.longValue() : v;
	}

	private String readLine() throws CheckpointFormatException {
		int start = in.position();
		int limit = Math.min(in.limit(), start + 65536);
		for (int i = start; i < limit; i++) {
			if (in.get(i) == '\n') {
				byte[] b = new byte[i - start];
				in.get(b);
				in.get();
				return new String(b, StandardCharsets.UTF_8);
			}
		}
		throw error("unterminated text field in pickle");
	}

	private Object parseIntLine() throws CheckpointFormatException {
		String s = readLine();
		if (s.equals("00")) return Boolean.FALSE;
		if (s.equals("01")) return Boolean.TRUE;
		try {
			return Long.parseLong(s);
		}
		catch (NumberFormatException e) {
			throw error("bad INT '" + PickleObjects.clip(s) + "'");
		}
	}

	private Object parseLongLine() throws CheckpointFormatException {
		String s = readLine();
		if (s.endsWith("L")) s = s.substring(0, s.length() - 1);
		if (s.length() > MAX_INT_BYTES * 5 / 2) throw error("integer of " + s.length() + " digits; at most " + MAX_INT_BYTES * 5 / 2 + " are allowed");
		try {
			BigInteger v = new BigInteger(s);
			return v.bitLength() < 64 ? (Object) v.longValue() : v;
		}
		catch (NumberFormatException e) {
			throw error("bad LONG '" + PickleObjects.clip(s) + "'");
		}
	}

	private long parseIndexLine() throws CheckpointFormatException {
		String s = readLine();
		try {
			return Long.parseLong(s);
		}
		catch (NumberFormatException e) {
			throw error("bad memo index '" + PickleObjects.clip(s) + "'");
		}
	}

	/** Python's {@code repr} of a float: digits, {@code inf}, {@code -inf} or {@code nan}. */
	private double parseFloatLine() throws CheckpointFormatException {
		String s = readLine();
		switch (s) {
			case "inf": return Double.POSITIVE_INFINITY;
			case "-inf": return Double.NEGATIVE_INFINITY;
			case "nan": return Double.NaN;
			default: break;
		}
		if (!s.matches("[-+]?[0-9]*\\.?[0-9]*([eE][-+]?[0-9]+)?") || s.isEmpty() || s.length() > 400) {
			throw error("bad FLOAT '" + PickleObjects.clip(s) + "'");
		}
		try {
			return Double.parseDouble(s);
		}
		catch (NumberFormatException e) {
			throw error("bad FLOAT '" + PickleObjects.clip(s) + "'");
		}
	}
}
