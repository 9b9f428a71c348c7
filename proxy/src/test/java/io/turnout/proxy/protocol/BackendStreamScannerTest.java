package io.turnout.proxy.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackendStreamScannerTest {
  private final List<String> events = new ArrayList<>();
  private final BackendStreamScanner scanner =
      new BackendStreamScanner(
          new BackendStreamScanner.Listener() {
            @Override
            public void onMessage(byte type) {
              events.add(String.valueOf((char) type));
            }

            @Override
            public void onReadyForQuery(byte status) {
              events.add("Z:" + (char) status);
            }

            @Override
            public void onParameterStatus(String name, String value) {
              events.add(name + "=" + value);
            }
          });

  private static ByteBuf conversation() {
    return Bytes.concat(
        Bytes.typed('T', "row description....."),
        Bytes.typed('D', "row 1"),
        Bytes.typed('D', ""),
        Bytes.typed('C', "SELECT 2\0"),
        Bytes.typed('Z', "T"),
        Bytes.typed('E', "SERROR\0\0"),
        Bytes.typed('Z', "E"),
        Bytes.typed('G', "\0\0\0"),
        Bytes.typed('Z', "I"));
  }

  private static final List<String> EXPECTED =
      List.of("T", "D", "D", "C", "Z", "Z:T", "E", "Z", "Z:E", "G", "Z", "Z:I");

  @Test
  void parameterStatus_splitAnywhere_reportsNameAndValue() {
    ByteBuf all =
        Bytes.concat(
            Bytes.typed('C', "SET\0"),
            Bytes.typed('S', "application_name\0billing-v2\0"),
            Bytes.typed('S', "broken-without-nul"),
            Bytes.typed('Z', "I"));
    while (all.isReadable()) {
      scanner.scan(all.readSlice(Math.min(3, all.readableBytes())));
    }
    all.release();
    assertThat(events).containsExactly("C", "S", "application_name=billing-v2", "S", "Z", "Z:I");
  }

  @Test
  void wholeStream_reportsEveryMessageAndStatus() {
    ByteBuf all = conversation();
    scanner.scan(all);
    all.release();
    assertThat(events).isEqualTo(EXPECTED);
    assertThat(scanner.atMessageBoundary()).isTrue();
  }

  @Test
  void byteByByte_reportsTheSame() {
    ByteBuf all = conversation();
    while (all.isReadable()) {
      scanner.scan(all.readSlice(1));
    }
    all.release();
    assertThat(events).isEqualTo(EXPECTED);
  }

  @Test
  void randomSplits_reportTheSame() {
    Random random = new Random(42);
    for (int round = 0; round < 500; round++) {
      events.clear();
      ByteBuf all = conversation();
      while (all.isReadable()) {
        scanner.scan(all.readSlice(Math.min(all.readableBytes(), 1 + random.nextInt(12))));
      }
      all.release();
      assertThat(events).as("round %d", round).isEqualTo(EXPECTED);
    }
  }

  @Test
  void scan_doesNotMoveIndexes() {
    ByteBuf all = conversation();
    int reader = all.readerIndex();
    scanner.scan(all);
    assertThat(all.readerIndex()).isEqualTo(reader);
    all.release();
  }

  @Test
  void invalidLength_isProtocolViolation() {
    ByteBuf bad = Unpooled.buffer().writeByte('D').writeInt(2);
    assertThatThrownBy(() -> scanner.scan(bad)).isInstanceOf(ProtocolViolation.class);
    bad.release();
  }

  /** Hides ParseComplete and CloseComplete, as for replies to messages Turnout injected. */
  private final BackendStreamScanner hiding =
      new BackendStreamScanner(
          new BackendStreamScanner.Listener() {
            @Override
            public void onMessage(byte type) {}

            @Override
            public void onReadyForQuery(byte status) {}

            @Override
            public boolean hide(byte type) {
              return type == '1' || type == '3';
            }

            @Override
            public boolean mayHide() {
              return true;
            }
          });

  private static ByteBuf withInjectedReplies() {
    return Bytes.concat(
        Bytes.typed('3', ""),
        Bytes.typed('1', ""),
        Bytes.typed('2', ""),
        Bytes.typed('D', "a row that is long enough to be split"),
        Bytes.typed('1', ""),
        Bytes.typed('C', "SELECT 1\0"),
        Bytes.typed('3', ""),
        Bytes.typed('Z', "I"),
        Bytes.typed('3', ""));
  }

  private static final String VISIBLE =
      "2|D:a row that is long enough to be split|C:SELECT 1\0|Z:I|";

  @Test
  void hiddenMessages_areLeftOut_whereverChunksSplit() {
    Random random = new Random(7);
    for (int round = 0; round < 2_000; round++) {
      ByteBuf all = withInjectedReplies();
      ByteBuf seen = Unpooled.buffer();
      int max = round < 100 ? 1 : 1 + random.nextInt(20);
      while (all.isReadable()) {
        hiding.scan(
            all.readRetainedSlice(Math.min(all.readableBytes(), 1 + random.nextInt(max))),
            part -> {
              seen.writeBytes(part);
              part.release();
            });
      }
      all.release();
      assertThat(messages(seen)).as("round %d", round).isEqualTo(VISIBLE);
      seen.release();
    }
  }

  @Test
  void nothingHidden_handsOnTheChunkItself() {
    ByteBuf all = conversation();
    List<ByteBuf> out = new ArrayList<>();
    scanner.scan(all, out::add);
    assertThat(out).containsExactly(all);
    all.release();
  }

  /** The messages in {@code b} as type:body, each followed by '|'. */
  private static String messages(ByteBuf b) {
    StringBuilder s = new StringBuilder();
    while (b.isReadable()) {
      char type = (char) b.readByte();
      int length = b.readInt();
      s.append(type);
      if (length > 4) {
        s.append(':').append(b.readCharSequence(length - 4, StandardCharsets.UTF_8));
      }
      s.append('|');
    }
    return s.toString();
  }
}
