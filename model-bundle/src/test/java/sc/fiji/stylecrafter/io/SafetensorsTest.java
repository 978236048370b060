package sc.fiji.stylecrafter.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

	@TempDir
	Path tmp;

	@Test
	void roundTripsEveryDtypeAndView() throws IOException {
		Path out = tmp.resolve("basic.safetensors");
		try (Checkpoint pt = Checkpoints.open(Fixtures.fixture("basic.pt"))) {
			SafetensorsWriter.write(out, pt.tensors(), Map.of("source", "basic.pt"));
			try (SafetensorsFile st = SafetensorsFile.open(out)) {
				assertEquals(pt.tensors().keySet(), st.tensors().keySet());
				assertEquals("basic.pt", st.metadata().get("source"));
				for (String k : pt.tensors().keySet()) {
					StoredTensor a = pt.tensors().get(k), b = st.tensors().get(k);
					assertEquals(a.dtype(), b.dtype(), k);
					assertArrayEquals(a.shape(), b.shape(), k);
					assertArrayEquals(a.toByteBuffer().array(), b.toByteBuffer().array(), k);
				}
			}
		}
		try (Checkpoint c = Checkpoints.open(out)) { // detected by content
			assertTrue(c instanceof SafetensorsFile);
		}
		assertTrue(Files.notExists(tmp.resolve("basic.safetensors.part")));
	}

	private Path withHeader(String json, int dataBytes) throws IOException {
		byte[] h = json.getBytes(StandardCharsets.UTF_8);
		ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
		b.putLong(h.length).put(h);
		return Files.write(Files.createTempFile(tmp, "st", ".safetensors"), b.array());
	}

	@Test
	void rejectsBadHeaders() throws IOException {
		Path outside = withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);
		assertTrue(assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(outside)).getMessage().contains("outside"));
		Path mismatch = withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", 16);
		assertTrue(assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(mismatch)).getMessage().contains("needs 12"));
		Path dtype = withHeader("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4);
		assertTrue(assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(dtype)).getMessage().contains("F8_E4M3"));
		Path hugeLen = Files.write(tmp.resolve("huge.safetensors"), ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 60).put("{}      ".getBytes()).array());
		assertThrows(CheckpointFormatException.class, () -> Checkpoints.open(hugeLen));
	}
}
