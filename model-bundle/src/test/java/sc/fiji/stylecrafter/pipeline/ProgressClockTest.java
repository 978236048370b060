package sc.fiji.stylecrafter.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProgressClockTest {

	@Test
	void timesEachStageInItsOwnUnit() throws InterruptedException {
		ProgressClock c = new ProgressClock();
		c.update(0, 5, "encoding");
		assertNull(c.unit());
		assertTrue(Double.isNaN(c.secondsPerUnit()));
		c.update(0, 5, "sampling");
		assertEquals("step", c.unit());
		assertTrue(Double.isNaN(c.secondsPerUnit()), "no rate before the first step");
		Thread.sleep(20);
		c.update(2, 5, "sampling");
		assertTrue(c.secondsPerUnit() >= 0.01, "20 ms over 2 steps: " + c.secondsPerUnit());
		assertEquals(c.secondsPerUnit() * 3, c.secondsLeft(), 1e-12);
		double sampling = c.secondsIn("sampling");
		c.update(0, 4, "decoding");
		assertEquals("frame", c.unit());
		assertTrue(Double.isNaN(c.secondsLeft()), "a new stage starts its own clock");
		assertEquals(sampling, c.secondsIn("sampling"), 0, "a finished stage keeps its time");
		assertEquals(0, c.secondsIn("never"), 0);
	}
}
