package sc.fiji.stylecrafter.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProgressClockTest {

	@Test
	void timesEachStageInItsOwnUnit() throws InterruptedException {
		ProgressClock c = new ProgressClock();
		c.update(0, 5, Stage.ENCODING);
		assertNull(c.unit());
		assertTrue(Double.isNaN(c.secondsPerUnit()));
		c.update(0, 5, Stage.SAMPLING);
		assertEquals("step", c.unit());
		assertTrue(Double.isNaN(c.secondsPerUnit()), "no rate before the first step");
		Thread.sleep(20);
		c.update(2, 5, Stage.SAMPLING);
		assertTrue(c.secondsPerUnit() >= 0.01, "20 ms over 2 steps: " + c.secondsPerUnit());
		assertEquals(c.secondsPerUnit() * 3, c.secondsLeft(), 1e-12);
		double sampling = c.secondsIn(Stage.SAMPLING);
		c.update(0, 4, Stage.DECODING);
		assertEquals("frame", c.unit());
		assertTrue(Double.isNaN(c.secondsLeft()), "a new stage starts its own clock");
		assertEquals(sampling, c.secondsIn(Stage.SAMPLING), 0, "a finished stage keeps its time");
		assertEquals(0, new ProgressClock().secondsIn(Stage.DECODING), 0, "a stage that never ran took no time");
	}
}
