package sc.fiji.stylecrafter.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/** Writes float32 safetensors files of seeded random weights (normal, scaled), for tests that need no golden data. */
public final class RandomWeights {

	private final SortedMap<String, long[]> shapes = new TreeMap<>();

	public RandomWeights add(String key, long... shape) {
		shapes.put(key, shape);
		return this;
	}

	public RandomWeights addAll(Map<String, long[]> more) {
		shapes.putAll(more);
		return this;
	}

	public Path write(Path file, long seed, float scale) throws IOException {
		JsonObject header = new JsonObject();
		long offset = 0;
		for (var e : shapes.entrySet()) {
			long n = 1;
			JsonArray s = new JsonArray();
			for (long d : e.getValue()) {
				n *= d;
				s.add(d);
			}
			JsonObject o = new JsonObject();
			o.addProperty("dtype", "F32");
			o.add("shape", s);
			JsonArray off = new JsonArray();
			off.add(offset);
			off.add(offset + 4 * n);
			o.add("data_offsets", off);
			header.add(e.getKey(), o);
			offset += 4 * n;
		}
		byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
		Random r = new Random(seed);
		try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
			ByteBuffer h = ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).put(json);
			h.flip();
			while (h.hasRemaining()) ch.write(h);
			ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
			for (var e : shapes.entrySet()) {
				long n = 1;
				for (long d : e.getValue()) n *= d;
				boolean ones = e.getKey().endsWith("norm.weight") || e.getKey().matches(".*ln_\\w+\\.weight");
				for (long i = 0; i < n; i++) {
					if (!b.hasRemaining()) {
						b.flip();
						while (b.hasRemaining()) ch.write(b);
						b.clear();
					}
					b.putFloat(ones ? 1f + (float) r.nextGaussian() * 0.1f : (float) r.nextGaussian() * scale);
				}
			}
			b.flip();
			while (b.hasRemaining()) ch.write(b);
		}
		return file;
	}
}
