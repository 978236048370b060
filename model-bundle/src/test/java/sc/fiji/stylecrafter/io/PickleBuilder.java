package sc.fiji.stylecrafter.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes pickles opcode by opcode and wraps them in torch.save-style zips, to build broken and hostile files. */
final class PickleBuilder {

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	PickleBuilder op(int... bytes) {
		for (int b : bytes) out.write(b);
		return this;
	}

	PickleBuilder proto() {
		return op(0x80, 2);
	}

	PickleBuilder str(String s) {
		byte[] b = s.getBytes(StandardCharsets.UTF_8);
		op('X');
		int32(b.length);
		out.writeBytes(b);
		return this;
	}

	/** A text argument: the bytes of {@code s} and a newline. */
	PickleBuilder text(String s) {
		out.writeBytes((s + "\n").getBytes(StandardCharsets.UTF_8));
		return this;
	}

	PickleBuilder raw(byte[] b) {
		out.writeBytes(b);
		return this;
	}

	PickleBuilder int32(int v) {
		ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v);
		out.writeBytes(b.array());
		return this;
	}

	/** BININT for ints, LONG1 otherwise. */
	PickleBuilder num(long v) {
		if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) return op('J').int32((int) v);
		ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
		op(0x8a, 8);
		out.writeBytes(b.array());
		return this;
	}

	PickleBuilder global(String module, String name) {
		op('c');
		out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
		return this;
	}

	PickleBuilder tuple(long... values) {
		op('(');
		for (long v : values) num(v);
		return op('t');
	}

	/** Pushes a tensor rebuilt from storage {@code key} of {@code storageType} with {@code numel} elements. */
	PickleBuilder tensor(String storageType, String key, long numel, long offset, long[] size, long[] stride) {
		global("torch._utils", "_rebuild_tensor_v2");
		op('(');
		op('(').str("storage").global("torch", storageType).str(key).str("cpu").num(numel).op('t').op('Q');
		num(offset).tuple(size).tuple(stride).op(0x89); // requires_grad False
		global("collections", "OrderedDict").op(')').op('R');
		op('t').op('R');
		return this;
	}

	byte[] bytes() {
		return out.toByteArray();
	}

	/** A torch.save-style zip with {@code archive/data.pkl} and the given storages, all stored uncompressed. */
	static Path zip(Path file, byte[] pickle, Map<String, byte[]> storages, boolean compressStorages) throws IOException {
		Map<String, byte[]> entries = new LinkedHashMap<>();
		entries.put("archive/data.pkl", pickle);
		storages.forEach((k, v) -> entries.put("archive/data/" + k, v));
		try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
			for (Map.Entry<String, byte[]> e : entries.entrySet()) {
				ZipEntry ze = new ZipEntry(e.getKey());
				boolean deflate = compressStorages && e.getKey().contains("/data/");
				ze.setMethod(deflate ? ZipEntry.DEFLATED : ZipEntry.STORED);
				if (!deflate) {
					CRC32 crc = new CRC32();
					crc.update(e.getValue());
					ze.setSize(e.getValue().length);
					ze.setCompressedSize(e.getValue().length);
					ze.setCrc(crc.getValue());
				}
				z.putNextEntry(ze);
				z.write(e.getValue());
				z.closeEntry();
			}
		}
		return file;
	}

	static byte[] floats(float... v) {
		ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
		for (float f : v) b.putFloat(f);
		return b.array();
	}

	/** A pickle of {'w': tensor} with the given view on a float storage. */
	static byte[] singleTensor(String storageType, long numel, long offset, long[] size, long[] stride) {
		return new PickleBuilder().proto().op('}').str("w").tensor(storageType, "0", numel, offset, size, stride).op('s').op('.').bytes();
	}
}
