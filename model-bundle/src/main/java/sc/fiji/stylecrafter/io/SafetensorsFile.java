package sc.fiji.stylecrafter.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;

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
			String json;
			try {
				json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
					.decode(ZipDirectory.readAt(file.channel(), 8, (int) n)).toString();
			}
			catch (CharacterCodingException e) {
				throw new CheckpointFormatException(what + ": safetensors header is not valid UTF-8");
			}
			long dataStart = 8 + n;
			Header h = new Header(what);
			try (JsonReader r = new JsonReader(new StringReader(json))) {
				h.read(r);
				if (r.peek() != JsonToken.END_DOCUMENT) throw new CheckpointFormatException(what + ": safetensors header has data after its JSON object");
			}
			catch (MalformedJsonException | EOFException | IllegalStateException | NumberFormatException e) {
				throw new CheckpointFormatException(what + ": safetensors header is not a valid JSON object: " + PickleObjects.clip(String.valueOf(e.getMessage())), e);
			}
			SortedMap<String, StoredTensor> out = new TreeMap<>();
			long expectedBegin = 0;
			for (Info info : h.byOffset()) {
				String w = what + ": tensor '" + PickleObjects.clip(info.name()) + "'";
				if (info.begin() != expectedBegin) {
					throw new CheckpointFormatException(w + " starts at data byte " + info.begin() + ", not at " + expectedBegin
						+ " where the previous tensor ends (tensors must tile the data without gaps or overlaps)");
				}
				if (info.end() > size - dataStart) {
					throw new CheckpointFormatException(w + " ends at data byte " + info.end() + " but the file has only " + (size - dataStart)
						+ " data bytes; the file is truncated");
				}
				if (info.end() - info.begin() > Storage.MAX_BYTES) throw new CheckpointFormatException(w + " has more than 2 GiB; it cannot be read");
				long[] strides = new long[info.shape().length];
				long st = 1;
				for (int i = strides.length - 1; i >= 0; i--) {
					strides[i] = st;
					st = Math.multiplyExact(st, Math.max(info.shape()[i], 1));
				}
				Storage storage = new Storage(file, info.name(), dataStart + info.begin(), info.end() - info.begin());
				StoredTensor t = new StoredTensor(info.dtype(), info.shape(), strides, 0, storage, w);
				if (t.byteSize() != info.end() - info.begin()) {
					throw new CheckpointFormatException(w + " has " + (info.end() - info.begin()) + " data bytes but its shape needs " + t.byteSize());
				}
				out.put(info.name(), t);
				expectedBegin = info.end();
			}
			if (expectedBegin != size - dataStart) {
				throw new CheckpointFormatException(what + ": the tensors cover " + expectedBegin + " data bytes but the file holds " + (size - dataStart)
					+ " after its header (a truncated or padded file)");
			}
			return new SafetensorsFile(file, Collections.unmodifiableSortedMap(out), Collections.unmodifiableMap(h.metadata));
		}
		catch (ArithmeticException e) {
			file.close();
			throw new CheckpointFormatException(what + ": a tensor's shape overflows", e);
		}
		catch (IOException | RuntimeException e) {
			file.close();
			throw e;
		}
	}

	/** One header entry. */
	private record Info(String name, TensorDType dtype, long[] shape, long begin, long end) {}

	/**
	 * The header, read strictly with a streaming reader (no tree of the whole JSON, no recursion): an object of tensor
	 * entries {@code {dtype: string, shape: [int...], data_offsets: [int, int]}} and an optional {@code __metadata__}
	 * object of strings. A name given twice, a number that is not a non-negative whole number, a missing field or a
	 * value of the wrong type is an error that names it.
	 */
	private static final class Header {

		private final String what;
		private final Map<String, Info> tensors = new HashMap<>();
		private final Map<String, String> metadata = new TreeMap<>();

		Header(String what) {
			this.what = what;
		}

		void read(JsonReader r) throws IOException {
			if (r.peek() != JsonToken.BEGIN_OBJECT) throw new CheckpointFormatException(what + ": safetensors header is not a JSON object");
			r.beginObject();
			boolean sawMetadata = false;
			while (r.hasNext()) {
				String name = r.nextName();
				if (name.equals("__metadata__")) {
					if (sawMetadata) throw new CheckpointFormatException(what + ": safetensors header has two __metadata__ entries");
					sawMetadata = true;
					readMetadata(r);
				}
				else {
					if (tensors.containsKey(name)) throw new CheckpointFormatException(what + ": safetensors header names tensor '" + PickleObjects.clip(name) + "' twice");
					tensors.put(name, readInfo(r, name));
				}
			}
			r.endObject();
		}

		private void readMetadata(JsonReader r) throws IOException {
			if (r.peek() == JsonToken.NULL) {
				r.nextNull();
				return;
			}
			expect(r, JsonToken.BEGIN_OBJECT, "__metadata__", "an object of strings");
			r.beginObject();
			while (r.hasNext()) {
				String k = r.nextName();
				expect(r, JsonToken.STRING, "__metadata__." + k, "a string");
				metadata.put(k, r.nextString());
			}
			r.endObject();
		}

		private Info readInfo(JsonReader r, String name) throws IOException {
			String w = "tensor '" + PickleObjects.clip(name) + "'";
			expect(r, JsonToken.BEGIN_OBJECT, w, "an object with dtype, shape and data_offsets");
			r.beginObject();
			TensorDType dtype = null;
			long[] shape = null, offsets = null;
			while (r.hasNext()) {
				String field = r.nextName();
				switch (field) {
					case "dtype":
						expect(r, JsonToken.STRING, w + " dtype", "a string");
						String dt = r.nextString();
						dtype = TensorDType.fromSafetensorsName(dt);
						if (dtype == null) throw new CheckpointFormatException(what + ": " + w + " has unsupported dtype '" + PickleObjects.clip(dt) + "'");
						break;
					case "shape": shape = wholeNumbers(r, w + " shape", StoredTensor.MAX_RANK); break;
					case "data_offsets": offsets = wholeNumbers(r, w + " data_offsets", 2); break;
					default: r.skipValue(); break; // unknown fields are ignored, as the reference reader does
				}
			}
			r.endObject();
			if (dtype == null || shape == null || offsets == null || offsets.length != 2) {
				throw new CheckpointFormatException(what + ": " + w + " needs dtype, shape and data_offsets [begin, end]");
			}
			if (offsets[1] < offsets[0]) throw new CheckpointFormatException(what + ": " + w + " has data_offsets that end before they begin");
			return new Info(name, dtype, shape, offsets[0], offsets[1]);
		}

		private long[] wholeNumbers(JsonReader r, String field, int max) throws IOException {
			expect(r, JsonToken.BEGIN_ARRAY, field, "a list of whole numbers");
			r.beginArray();
			long[] out = new long[max];
			int n = 0;
			while (r.hasNext()) {
				expect(r, JsonToken.NUMBER, field, "a list of whole numbers");
				String v = r.nextString();
				if (n == max) throw new CheckpointFormatException(what + ": " + field + " has more than " + max + " entries");
				if (!v.matches("0|[1-9][0-9]{0,17}")) {
					throw new CheckpointFormatException(what + ": " + field + " holds " + PickleObjects.clip(v) + ", not a whole number from 0 to 10^18");
				}
				out[n++] = Long.parseLong(v);
			}
			r.endArray();
			return java.util.Arrays.copyOf(out, n);
		}

		private void expect(JsonReader r, JsonToken token, String field, String allowed) throws IOException {
			JsonToken t = r.peek();
			if (t != token) throw new CheckpointFormatException(what + ": " + field + " is " + t.toString().toLowerCase(java.util.Locale.ROOT) + "; it must be " + allowed);
		}

		List<Info> byOffset() {
			List<Info> l = new ArrayList<>(tensors.values());
			l.sort(Comparator.comparingLong(Info::begin).thenComparingLong(Info::end));
			return l;
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
