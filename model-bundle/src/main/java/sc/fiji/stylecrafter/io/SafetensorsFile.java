package sc.fiji.stylecrafter.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * A safetensors file: an 8-byte little-endian header length, a JSON header ({@code name -> dtype, shape,
 * data_offsets}), then the tensor bytes, memory-mapped here. See {@link SafetensorsWriter} for the write side.
 */
public final class SafetensorsFile implements Checkpoint {

	private static final long MAX_HEADER = 100L << 20;

	private final MappedFile file;
	private final SortedMap<String, StoredTensor> tensors;
	private final Map<String, String> metadata;

	private SafetensorsFile(MappedFile file, SortedMap<String, StoredTensor> tensors, Map<String, String> metadata) {
		this.file = file;
		this.tensors = tensors;
		this.metadata = metadata;
	}

	public static SafetensorsFile open(Path path) throws IOException {
		MappedFile file = new MappedFile(path);
		String what = path.toString();
		try {
			long size = file.size();
			if (size < 8) throw new CheckpointFormatException(what + " is too short to be a safetensors file");
			long n = ZipDirectory.readAt(file.channel(), 0, 8).getLong(0);
			if (n < 2 || n > MAX_HEADER || 8 + n > size) {
				throw new CheckpointFormatException(what + ": safetensors header length " + n + " is invalid for a file of " + size + " bytes");
			}
			ByteBuffer hb = ZipDirectory.readAt(file.channel(), 8, (int) n);
			JsonObject header;
			try {
				header = JsonParser.parseString(StandardCharsets.UTF_8.decode(hb).toString()).getAsJsonObject();
			}
			catch (JsonParseException | IllegalStateException e) {
				throw new CheckpointFormatException(what + ": safetensors header is not a JSON object: " + e.getMessage(), e);
			}
			long dataStart = 8 + n, dataLen = size - dataStart;
			SortedMap<String, StoredTensor> out = new TreeMap<>();
			Map<String, String> meta = new TreeMap<>();
			for (Map.Entry<String, JsonElement> e : header.entrySet()) {
				if (e.getKey().equals("__metadata__")) {
					if (e.getValue().isJsonObject()) {
						for (var m : e.getValue().getAsJsonObject().entrySet()) meta.put(m.getKey(), m.getValue().getAsString());
					}
					continue;
				}
				out.put(e.getKey(), tensor(file, e.getKey(), e.getValue(), dataStart, dataLen, what));
			}
			return new SafetensorsFile(file, Collections.unmodifiableSortedMap(out), Collections.unmodifiableMap(meta));
		}
		catch (IOException | RuntimeException e) {
			file.close();
			throw e;
		}
	}

	private static StoredTensor tensor(MappedFile file, String key, JsonElement el, long dataStart, long dataLen, String what)
		throws CheckpointFormatException
	{
		String w = what + ": tensor '" + key + "'";
		try {
			JsonObject o = el.getAsJsonObject();
			String dt = o.get("dtype").getAsString();
			TensorDType dtype = TensorDType.fromSafetensorsName(dt);
			if (dtype == null) throw new CheckpointFormatException(w + " has unsupported dtype '" + dt + "'");
			JsonArray sh = o.get("shape").getAsJsonArray();
			long[] shape = new long[sh.size()];
			for (int i = 0; i < shape.length; i++) shape[i] = sh.get(i).getAsLong();
			JsonArray off = o.get("data_offsets").getAsJsonArray();
			long begin = off.get(0).getAsLong(), end = off.get(1).getAsLong();
			if (begin < 0 || end < begin || end > dataLen) {
				throw new CheckpointFormatException(w + " has data offsets [" + begin + ", " + end + "] outside the " + dataLen + " data bytes");
			}
			long[] strides = new long[shape.length];
			long s = 1;
			for (int i = shape.length - 1; i >= 0; i--) {
				strides[i] = s;
				if (shape[i] < 0) throw new CheckpointFormatException(w + " has a negative dimension");
				s = Math.multiplyExact(s, Math.max(shape[i], 1));
			}
			Storage storage = new Storage(file, key, dataStart + begin, end - begin);
			StoredTensor t = new StoredTensor(dtype, shape, strides, 0, storage, w);
			if (t.byteSize() != end - begin) {
				throw new CheckpointFormatException(w + " has " + (end - begin) + " data bytes but its shape needs " + t.byteSize());
			}
			return t;
		}
		catch (IllegalStateException | NullPointerException | UnsupportedOperationException | IndexOutOfBoundsException | ArithmeticException e) {
			throw new CheckpointFormatException(w + " has a malformed header entry: " + el, e);
		}
	}

	/** The free-form {@code __metadata__} of the header. */
	public Map<String, String> metadata() {
		return metadata;
	}

	@Override
	public Path path() {
		return file.path();
	}

	@Override
	public SortedMap<String, StoredTensor> tensors() {
		return tensors;
	}

	@Override
	public void close() throws IOException {
		file.close();
	}
}
