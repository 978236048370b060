package sc.fiji.stylecrafter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The device words of the command line and of Fiji's macros: auto, cpu, gpu, and gpu:N for one GPU of several. */
class DeviceChoiceTest {

	@Test
	void wordsParseAndPrintBack() {
		assertEquals(DeviceChoice.AUTO, DeviceChoice.parse(null));
		assertEquals(DeviceChoice.CPU, DeviceChoice.parse("CPU"));
		assertEquals(DeviceChoice.GPU, DeviceChoice.parse("cuda"));
		assertEquals(DeviceChoice.gpu(1), DeviceChoice.parse("gpu:1"));
		assertEquals(DeviceChoice.gpu(2), DeviceChoice.parse("cuda:2"));
		for (String w : new String[] { "auto", "cpu", "gpu", "gpu:0", "gpu:7" }) assertEquals(w, DeviceChoice.parse(w).label());
		for (String bad : new String[] { "gpu:", "gpu:-1", "gpu:x", "tpu", "gpu:1:2" }) {
			String m = assertThrows(IllegalArgumentException.class, () -> DeviceChoice.parse(bad)).getMessage();
			assertTrue(m.contains("'" + bad + "'") && m.contains("gpu:N"), m);
		}
	}

	@Test
	void aNumberedGpuThatCannotBeUsedIsRefusedWithTheReason() {
		org.junit.jupiter.api.Assumptions.assumeTrue(!NvidiaDriver.probe().found(), "on a machine without an NVIDIA driver, as the test machines");
		String m = assertThrows(IllegalArgumentException.class, () -> DeviceChoice.parse("gpu:1").resolve()).getMessage();
		assertTrue(m.contains("a GPU was asked for but cannot be used") && m.contains("choose device cpu"), m);
	}
}
