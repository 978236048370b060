package sc.fiji.stylecrafter.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format 1.0-3.0, C order, little endian): read as float or long arrays, written as float32.
 * Used for recorded noise and for golden tensors.
 */
public final class Npy {

	/** An array read from a file: its shape and its values, row-major. */
	public record Array(long[] shape, String descr, float[] floats, long[] longs) {

		public long numel() {
			long n = 1;
			for (long d : shape) n *= d;
			return n;
		}

		@Override
		public String toString() {
			return "npy " + descr + " " + Arrays.toString(shape);
		}
	}

	private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
	private static final Pattern ORDER = Pattern.compile("'fortran_order':\\s*(True|False)");
	private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

	private Npy() {}

	/** Writes floats as a version 1.0 {@code .npy} ({@code <f4}, C order) of the given shape. */
	public static void writeFloat32(Path path, float[] values, long... shape) throws IOException {
		ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
		b.asFloatBuffer().put(values);
		write(path, "<f4", b.array(), values.length, shape);
	}

	/** Writes unsigned bytes as a version 1.0 {@code .npy} ({@code |u1}, C order) of the given shape. */
	public static void writeUint8(Path path, byte[] values, long... shape) throws IOException {
		write(path, "|u1", values, values.length, shape);
	}

	private static void write(Path path, String descr, byte[] data, int count, long... shape) throws IOException {
		long n = 1;
		for (long d : shape) n = Math.multiplyExact(n, d);
		if (n != count) throw new IllegalArgumentException(count + " values do not fill shape " + Arrays.toString(shape));
		StringBuilder dims = new StringBuilder();
		for (long d : shape) dims.append(d).append(", ");
		if (shape.length > 1) dims.setLength(dims.length() - 1);
		String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims.toString().trim() + "), }";
		int total = 10 + header.length() + 1;
		header += " ".repeat((64 - total % 64) % 64) + "\n"; // header padded so the data starts on a 64-byte boundary
		ByteBuffer b = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
		b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0).putShort((short) header.length());
		try (var out = Files.newOutputStream(path)) {
			out.write(b.array());
			out.write(header.getBytes(StandardCharsets.US_ASCII));
			out.write(data);
		}
	}

	public static Array read(Path path) throws IOException {
		byte[] all = Files.readAllBytes(path);
		ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
		if (all.length < 10 || (all[0] & 0xFF) != 0x93 || !new String(all, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
			throw new CheckpointFormatException(path + " is not a .npy file");
		}
		int major = all[6];
		int headerLen = major == 1 ? Short.toUnsignedInt(b.getShort(8)) : b.getInt(8);
		int start = major == 1 ? 10 : 12;
		if (start + headerLen > all.length) throw new CheckpointFormatException(path + ": truncated .npy header");
		String header = new String(all, start, headerLen, StandardCharsets.US_ASCII);
		Matcher d = DESCR.matcher(header), o = ORDER.matcher(header), s = SHAPE.matcher(header);
		if (!d.find() || !o.find() || !s.find()) throw new CheckpointFormatException(path + ": unreadable .npy header " + header.trim());
		if (o.group(1).equals("True")) throw new CheckpointFormatException(path + ": Fortran-ordered arrays are not supported");
		String[] dims = s.group(1).split(",");
		long[] shape = Arrays.stream(dims).map(String::trim).filter(x -> !x.isEmpty()).mapToLong(Long::parseLong).toArray();
		long n = 1;
		for (long x : shape) n = Math.multiplyExact(n, x);
		String descr = d.group(1);
		int es;
		switch (descr) {
			case "<f4": case "<i4": es = 4; break;
			case "<f8": case "<i8": es = 8; break;
			case "<f2": case "<i2": es = 2; break;
			case "|u1": case "|b1": case "|i1": es = 1; break;
			default: throw new CheckpointFormatException(path + ": unsupported .npy dtype " + descr);
		}
		int dataStart = start + headerLen;
		if (dataStart + n * es > all.length) throw new CheckpointFormatException(path + ": .npy data shorter than its shape " + Arrays.toString(shape));
		b.position(dataStart);
		int count = Math.toIntExact(n);
		float[] f = new float[count];
		long[] l = descr.startsWith("<i") || descr.equals("|u1") || descr.equals("|i1") || descr.equals("|b1") ? new long[count] : null;
		for (int i = 0; i < count; i++) {
			switch (descr) {
				case "<f4": f[i] = b.getFloat(); break;
				case "<f8": f[i] = (float) b.getDouble(); break;
				case "<f2": f[i] = HalfFloats.halfToFloat(b.getShort()); break;
				case "<i8": l[i] = b.getLong(); f[i] = l[i]; break;
				case "<i4": l[i] = b.getInt(); f[i] = l[i]; break;
				case "<i2": l[i] = b.getShort(); f[i] = l[i]; break;
				case "|i1": l[i] = b.get(); f[i] = l[i]; break;
				default: l[i] = b.get() & 0xFF; f[i] = l[i]; break;
			}
		}
		return new Array(shape, descr, f, l);
	}
}
