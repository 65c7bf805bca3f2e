package io.hybridlakehouse.cache;

import alluxio.client.file.CacheContext;
import alluxio.client.file.cache.CacheManager;
import alluxio.client.file.cache.CacheUsage;
import alluxio.client.file.cache.PageId;
import alluxio.client.file.cache.PageInfo;
import alluxio.file.ByteArrayTargetBuffer;
import alluxio.file.ReadTargetBuffer;
import alluxio.network.protocol.databuffer.DataFileChannel;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

import static java.util.Objects.requireNonNull;

/**
 * The pages of one cached file, each stored with a CRC32C trailer and verified on every
 * read. Alluxio's page store returns whatever bytes the page file holds: without this, a
 * page damaged on disk (same length, other bytes) would reach the Parquet reader, which
 * checks no checksums. A page that fails verification is dropped and reported as a miss,
 * so the read goes to storage and fills the page again.
 * <p>
 * Pages are whole: Trino's Alluxio input only puts full pages, or the file's last one, so
 * a page's length follows from the file length and the page size.
 */
final class ChecksummedPages
        implements CacheManager
{
    static final int TRAILER_BYTES = Integer.BYTES;

    private final CacheManager delegate;
    private final long fileLength;
    private final long pageSize;
    private final ThreadLocal<byte[]> scratch;
    private final Runnable corruptPageListener;

    ChecksummedPages(CacheManager delegate, long fileLength, long pageSize, ThreadLocal<byte[]> scratch, Runnable corruptPageListener)
    {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.fileLength = fileLength;
        this.pageSize = pageSize;
        this.scratch = requireNonNull(scratch, "scratch is null");
        this.corruptPageListener = requireNonNull(corruptPageListener, "corruptPageListener is null");
    }

    @Override
    public boolean put(PageId pageId, ByteBuffer page, CacheContext cacheContext)
    {
        int length = page.remaining();
        if (length != pageLength(pageId)) {
            // not a whole page: it could not be verified later
            return false;
        }
        ByteBuffer stored = ByteBuffer.allocate(length + TRAILER_BYTES);
        stored.put(page.duplicate());
        stored.putInt(checksum(stored.array(), length));
        stored.flip();
        return delegate.put(pageId, stored, cacheContext);
    }

    @Override
    public int get(PageId pageId, int pageOffset, int bytesToRead, ReadTargetBuffer buffer, CacheContext cacheContext)
    {
        int length = pageLength(pageId);
        if (length <= 0 || pageOffset + bytesToRead > length) {
            return -1;
        }
        byte[] stored = scratch.get();
        int read = delegate.get(pageId, 0, length + TRAILER_BYTES, new ByteArrayTargetBuffer(stored, 0), cacheContext);
        if (read <= 0) {
            return read;
        }
        if (read != length + TRAILER_BYTES || checksum(stored, length) != ByteBuffer.wrap(stored, length, TRAILER_BYTES).getInt()) {
            delegate.delete(pageId);
            corruptPageListener.run();
            return -1;
        }
        buffer.writeBytes(stored, pageOffset, bytesToRead);
        return bytesToRead;
    }

    @Override
    public int getAndLoad(PageId pageId, int pageOffset, int bytesToRead, ReadTargetBuffer buffer, CacheContext cacheContext, Supplier<byte[]> externalDataSupplier)
    {
        int read = get(pageId, pageOffset, bytesToRead, buffer, cacheContext);
        if (read > 0) {
            return read;
        }
        byte[] page = externalDataSupplier.get();
        put(pageId, ByteBuffer.wrap(page), cacheContext);
        buffer.writeBytes(page, pageOffset, bytesToRead);
        return bytesToRead;
    }

    @Override
    public boolean append(PageId pageId, int appendAt, byte[] page, CacheContext cacheContext)
    {
        // a page grown in place would have no valid trailer
        return false;
    }

    @Override
    public Optional<DataFileChannel> getDataFileChannel(PageId pageId, int pageOffset, int bytesToRead, CacheContext cacheContext)
    {
        // a channel would bypass verification
        return Optional.empty();
    }

    @Override
    public void deleteFile(String fileId)
    {
        delegate.deleteFile(fileId);
    }

    @Override
    public void deleteTempFile(String fileId)
    {
        delegate.deleteTempFile(fileId);
    }

    @Override
    public boolean delete(PageId pageId)
    {
        return delegate.delete(pageId);
    }

    @Override
    public State state()
    {
        return delegate.state();
    }

    @Override
    public boolean hasPageUnsafe(PageId pageId)
    {
        return delegate.hasPageUnsafe(pageId);
    }

    @Override
    public void invalidate(Predicate<PageInfo> predicate)
    {
        delegate.invalidate(predicate);
    }

    @Override
    public Optional<CacheUsage> getUsage()
    {
        return delegate.getUsage();
    }

    @Override
    public void commitFile(String fileId)
    {
        delegate.commitFile(fileId);
    }

    @Override
    public void close()
    {
        // the cache manager is shared by all files; its owner closes it
    }

    private int pageLength(PageId pageId)
    {
        return (int) Math.min(pageSize, fileLength - pageId.getPageIndex() * pageSize);
    }

    private static int checksum(byte[] bytes, int length)
    {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }
}
