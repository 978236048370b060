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
		assertTrue(assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(outside)).getMessage().contains("truncated"));
		Path mismatch = withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", 16);
		assertTrue(assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(mismatch)).getMessage().contains("needs 12"));
		Path dtype = withHeader("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4);
		assertTrue(assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(dtype)).getMessage().contains("F8_E4M3"));
		Path hugeLen = Files.write(tmp.resolve("huge.safetensors"), ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 60).put("{}      ".getBytes()).array());
		assertThrows(CheckpointFormatException.class, () -> Checkpoints.open(hugeLen));
	}

	private String refused(String header, int dataBytes) throws IOException {
		Path f = withHeader(header, dataBytes);
		return assertThrows(CheckpointFormatException.class, () -> Checkpoints.open(f).close()).getMessage();
	}

	@Test
	void headerValuesOfTheWrongTypeAreNamed() throws IOException {
		String w = "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
		assertTrue(refused("{\"__metadata__\":{\"a\":{\"b\":1}}," + w + "}", 4).contains("__metadata__.a is begin_object; it must be a string"));
		assertTrue(refused("{\"__metadata__\":{\"a\":null}," + w + "}", 4).contains("__metadata__.a is null"));
		assertTrue(refused("{\"__metadata__\":[1]," + w + "}", 4).contains("__metadata__ is begin_array"));
		assertTrue(refused("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"4\"],\"data_offsets\":[0,16]}}", 16).contains("shape is string"));
		assertTrue(refused("{\"w\":{\"dtype\":\"F32\",\"shape\":[4.7],\"data_offsets\":[0,16]}}", 16).contains("holds 4.7, not a whole number"));
		assertTrue(refused("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[\"0\",16]}}", 16).contains("data_offsets is string"));
		assertTrue(refused("{\"w\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", 16).contains("holds -4"));
		assertTrue(refused("{\"w\":{\"dtype\":7,\"shape\":[4],\"data_offsets\":[0,16]}}", 16).contains("dtype is number"));
		assertTrue(refused("{\"w\":{\"shape\":[4],\"data_offsets\":[0,16]}}", 16).contains("needs dtype, shape and data_offsets"));
		assertTrue(refused("{" + w + "," + w + "}", 4).contains("names tensor 'w' twice"));
		Path array = withHeader("[1,2]", 0);
		assertTrue(assertThrows(CheckpointFormatException.class, () -> SafetensorsFile.open(array)).getMessage().contains("not a JSON object"));
		assertTrue(refused("{" + w, 4).contains("not a valid JSON object"));
		// null metadata is allowed, as by the reference reader
		try (Checkpoint c = Checkpoints.open(withHeader("{\"__metadata__\":null," + w + "}", 4))) {
			assertEquals(1, c.tensors().size());
		}
	}

	@Test
	void tensorsMustTileTheDataExactly() throws IOException {
		String a = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
		assertTrue(refused("{" + a + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12).contains("starts at data byte 4, not at 8"));
		assertTrue(refused("{" + a + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", 16).contains("not at 8"));
		assertTrue(refused("{" + a + "}", 12).contains("cover 8 data bytes but the file holds 12"));
	}
}
