package sc.fiji.stylecrafter.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.SortedMap;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/**
 * Writes tensors as a safetensors file, one tensor at a time (no copy of the whole file in heap). The file is written
 * beside the target and moved into place, so a failed write leaves no half file under the target name.
 */
public final class SafetensorsWriter {

	private SafetensorsWriter() {}

	public static void write(Path target, SortedMap<String, StoredTensor> tensors, Map<String, String> metadata) throws IOException {
		JsonObject header = new JsonObject();
		if (metadata != null && !metadata.isEmpty()) {
			JsonObject m = new JsonObject();
			metadata.forEach(m::addProperty);
			header.add("__metadata__", m);
		}
		long offset = 0;
		for (Map.Entry<String, StoredTensor> e : tensors.entrySet()) {
			StoredTensor t = e.getValue();
			JsonObject o = new JsonObject();
			o.addProperty("dtype", t.dtype().safetensorsName());
			JsonArray shape = new JsonArray();
			for (long d : t.shape()) shape.add(d);
			o.add("shape", shape);
			JsonArray offs = new JsonArray();
			offs.add(offset);
			offs.add(offset + t.byteSize());
			o.add("data_offsets", offs);
			header.add(e.getKey(), o);
			offset += t.byteSize();
		}
		byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
		int padded = (json.length + 7) / 8 * 8; // keeps the data 8-byte aligned
		ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
		head.putLong(padded).put(json);
		while (head.hasRemaining()) head.put((byte) ' ');
		head.flip();
		Path tmp = target.resolveSibling(target.getFileName() + ".part");
		try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
			while (head.hasRemaining()) ch.write(head);
			for (StoredTensor t : tensors.values()) {
				ByteBuffer b = t.toByteBuffer();
				while (b.hasRemaining()) ch.write(b);
			}
		}
		catch (IOException | RuntimeException e) {
			Files.deleteIfExists(tmp);
			throw e;
		}
		Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}
}
